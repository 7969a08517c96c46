#include "anatomy/artifacts/registry.h"

#include <cstdlib>
#include <iostream>

#include "anatomy/artifacts/delta_payloads.h"
#include "anatomy/artifacts/engine_payloads.h"
#include "anatomy/artifacts/rows.h"

namespace anatomy::artifacts {
namespace {

Status RegisterAll(serde::SchemaRegistry* r) {
  // Delta policies, protocol snapshots and pins.
  ARROW_RETURN_NOT_OK(r->Register<DeltaWritePolicy>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<ParquetWriterPolicy>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaSchemaPolicy>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaStatsDecision>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaProtocolSnapshot>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaFeatureGate>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaProtocolCompatibility>("delta"));
  ARROW_RETURN_NOT_OK(r->Register<DeltaInputPin>("delta"));
  // Plan and view payloads.
  ARROW_RETURN_NOT_OK(r->Register<LineagePayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<ScanUnitPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanDetailsPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<ViewSchemaDescribe>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<ViewSchemaProvenance>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<SchemaAbiPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanTreePayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanningEnvPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<InformationSchemaPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanFingerprintInputs>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanIdentityPayload>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<PlanTaskSignatureInputs>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<ExplainRow>("engine"));
  ARROW_RETURN_NOT_OK(r->Register<OutputDescriptor>("run"));
  ARROW_RETURN_NOT_OK(r->Register<FileChange>("incremental"));
  ARROW_RETURN_NOT_OK(r->Register<ImpactedFile>("incremental"));
  // Artifact tables.
  ARROW_RETURN_NOT_OK(r->RegisterRow<PlanArtifactRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<ViewArtifactRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<WriteArtifactRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<RunManifestRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<NormalizeOutputsRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<ExtractErrorsRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<IncrementalRunRow>("artifacts"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<DeltaSnapshotRow>("delta_observability"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<DeltaMutationRow>("delta_observability"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<DeltaScanPlanRow>("delta_observability"));
  ARROW_RETURN_NOT_OK(r->RegisterRow<DeltaMaintenanceRow>("delta_observability"));
  return Status::OK();
}

}  // namespace

const serde::SchemaRegistry& ArtifactRegistry() {
  static const serde::SchemaRegistry kRegistry = [] {
    serde::SchemaRegistry r;
    Status st = RegisterAll(&r);
    if (!st.ok()) {
      // A duplicate name is a programming error caught by the first test run.
      std::cerr << "anatomy: artifact registry: " << st.ToString() << std::endl;
      std::abort();
    }
    return r;
  }();
  return kRegistry;
}

const std::string& SchemaContractHash() {
  static const std::string kHash = ArtifactRegistry().ContractHash();
  return kHash;
}

}  // namespace anatomy::artifacts
