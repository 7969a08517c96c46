#pragma once

// The delta layer's public surface in one include.

#include "anatomy/delta/actions.h"
#include "anatomy/delta/cdf.h"
#include "anatomy/delta/checkpoint_writer.h"
#include "anatomy/delta/column_mapping.h"
#include "anatomy/delta/maintenance.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/protocol.h"
#include "anatomy/delta/pruning.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/schema.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/delta/storage.h"
#include "anatomy/delta/transaction.h"
#include "anatomy/delta/write.h"
