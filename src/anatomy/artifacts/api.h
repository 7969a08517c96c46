#pragma once

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/artifacts/engine_payloads.h"
#include "anatomy/artifacts/registry.h"
#include "anatomy/artifacts/rows.h"
