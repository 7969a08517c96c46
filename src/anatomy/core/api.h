#pragma once

#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/core/status.h"
