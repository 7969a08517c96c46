#pragma once

#include "anatomy/serde/arrow_codec.h"
#include "anatomy/serde/base64.h"
#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/json_schema.h"
#include "anatomy/serde/msgpack_codec.h"
#include "anatomy/serde/registry.h"
#include "anatomy/serde/sample.h"
#include "anatomy/serde/struct.h"
