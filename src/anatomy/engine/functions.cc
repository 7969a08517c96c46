#include "anatomy/engine/functions.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/compute/registry.h>

#include <mutex>
#include <optional>
#include <vector>

#include "anatomy/core/hash.h"

namespace anatomy::engine {

namespace cp = arrow::compute;

namespace {

const cp::FunctionDoc kStableIdDoc{
    "Stable entity id: prefix + ':' + hex(blake2b-128(parts joined by 0x1F))",
    "A null part is hashed as __NULL__; the prefix is not hashed.",
    {"prefix", "parts"}};

Status StableIdExec(cp::KernelContext*, const cp::ExecSpan& batch, cp::ExecResult* out) {
  // Views of each argument: either a whole array or one scalar broadcast to every row.
  std::vector<std::shared_ptr<arrow::StringArray>> arrays(batch.num_values());
  std::vector<std::optional<std::string>> scalars(batch.num_values());
  for (int i = 0; i < batch.num_values(); ++i) {
    const auto& v = batch[i];
    if (v.is_array()) {
      arrays[i] = std::static_pointer_cast<arrow::StringArray>(v.array.ToArray());
    } else if (v.scalar->is_valid) {
      scalars[i] = static_cast<const arrow::StringScalar&>(*v.scalar).view();
    }
  }
  arrow::StringBuilder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(batch.length));
  std::vector<core::IdPart> parts(batch.num_values() - 1);
  std::string joined, id;  // reused from row to row
  for (int64_t row = 0; row < batch.length; ++row) {
    auto value = [&](int i) -> core::IdPart {
      if (arrays[i]) {
        if (arrays[i]->IsNull(row)) return std::nullopt;
        return arrays[i]->GetView(row);
      }
      if (scalars[i]) return std::string_view(*scalars[i]);
      return std::nullopt;
    };
    const core::IdPart prefix = value(0);
    if (!prefix) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    for (int i = 1; i < batch.num_values(); ++i) parts[i - 1] = value(i);
    core::StableIdInto(*prefix, parts, joined, id);
    ARROW_RETURN_NOT_OK(builder.Append(id));
  }
  ARROW_ASSIGN_OR_RAISE(auto result, builder.Finish());
  out->value = result->data();
  return Status::OK();
}

Status RegisterOnce() {
  auto* registry = cp::GetFunctionRegistry();
  auto func =
      std::make_shared<cp::ScalarFunction>("stable_id", cp::Arity::VarArgs(2), kStableIdDoc);
  cp::ScalarKernel kernel(
      cp::KernelSignature::Make({cp::InputType(arrow::utf8()), cp::InputType(arrow::utf8())},
                                arrow::utf8(),
                                /*is_varargs=*/true),
      StableIdExec);
  kernel.null_handling = cp::NullHandling::COMPUTED_NO_PREALLOCATE;
  kernel.mem_allocation = cp::MemAllocation::NO_PREALLOCATE;
  ARROW_RETURN_NOT_OK(func->AddKernel(std::move(kernel)));
  return registry->AddFunction(std::move(func), /*allow_overwrite=*/false);
}

}  // namespace

Status RegisterAnatomyFunctions() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] { status = RegisterOnce(); });
  return status;
}

}  // namespace anatomy::engine
