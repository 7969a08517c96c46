#include <iostream>
#include <map>
#include <sstream>

#include "anatomy/artifacts/engine_payloads.h"
#include "anatomy/artifacts/rows.h"
#include "anatomy/artifacts/store.h"
#include "anatomy/cli/commands.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/serde/json_codec.h"
#include "anatomy/serde/msgpack_codec.h"

namespace anatomy::cli {

namespace {

struct InspectArgs {
  std::string out;
  std::string what = "runs";
  std::string format = "table";
};

// The payload of a msgpack column, decoded, as JSON text (or the decode error).
template <typename T>
std::string Decoded(const serde::Bytes& bytes) {
  auto v = serde::DecodeMsgpack<T>(bytes.data);
  return v.ok() ? serde::EncodeJson(*v) : "<" + v.status().ToString() + ">";
}

std::string Join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

template <typename Row>
Result<std::vector<Row>> Rows(const std::string& out) {
  artifacts::ArtifactStore store(out + "/artifacts");
  return artifacts::ReadArtifacts<Row>(store.TablePath(std::string(serde::kStructInfo<Row>.name)));
}

Status Inspect(const InspectArgs& a) {
  const bool json = a.format == "json";
  if (a.what == "runs") {
    ARROW_ASSIGN_OR_RAISE(auto rows, Rows<artifacts::RunManifestRow>(a.out));
    for (const auto& r : rows) {
      if (json) {
        std::cout << "{\"run\":" << serde::EncodeJson(r) << ",\"outputs\":"
                  << Decoded<std::vector<artifacts::OutputDescriptor>>(r.outputs_msgpack) << "}\n";
        continue;
      }
      std::cout << r.run_id << "  " << r.status
                << "  plan_signature=" << r.plan_signature.substr(0, 16)
                << "  profile=" << r.runtime_profile_name.value_or("") << "\n";
      auto outputs =
          serde::DecodeMsgpack<std::vector<artifacts::OutputDescriptor>>(r.outputs_msgpack.data);
      if (outputs.ok()) {
        for (const auto& o : *outputs) {
          std::cout << "    " << o.name << " v" << o.delta_version.value_or(-1)
                    << " rows=" << o.rows.value_or(0) << "  " << o.path << "\n";
        }
      }
    }
  } else if (a.what == "plans") {
    ARROW_ASSIGN_OR_RAISE(auto rows, Rows<artifacts::PlanArtifactRow>(a.out));
    for (const auto& r : rows) {
      if (json) {
        std::cout << "{\"view_name\":\"" << r.view_name << "\",\"event_kind\":\""
                  << serde::EnumLiteral(r.event_kind) << "\",\"plan_fingerprint\":\""
                  << r.plan_fingerprint
                  << "\",\"lineage\":" << Decoded<artifacts::LineagePayload>(r.lineage_msgpack)
                  << ",\"details\":"
                  << Decoded<artifacts::PlanDetailsPayload>(r.plan_details_msgpack) << "}\n";
        continue;
      }
      std::cout << r.view_name << "  " << serde::EnumLiteral(r.event_kind) << "  "
                << r.plan_fingerprint.substr(0, 16) << "  functions=[" << Join(r.required_functions)
                << "]";
      if (r.execution_status) {
        std::cout << "  " << serde::EnumLiteral(*r.execution_status) << " "
                  << r.execution_duration_ms.value_or(0) << " ms";
      }
      std::cout << "\n";
      auto details =
          serde::DecodeMsgpack<artifacts::PlanDetailsPayload>(r.plan_details_msgpack.data);
      if (details.ok() && r.event_kind == artifacts::PlanEventKind::kPlan) {
        std::istringstream lines(details->logical_plan);
        for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
      }
    }
  } else if (a.what == "views") {
    ARROW_ASSIGN_OR_RAISE(auto rows, Rows<artifacts::ViewArtifactRow>(a.out));
    for (const auto& r : rows) {
      if (json) {
        std::cout << "{\"name\":\"" << r.name << "\",\"plan_task_signature\":\""
                  << r.plan_task_signature
                  << "\",\"schema\":" << Decoded<artifacts::SchemaAbiPayload>(r.schema_msgpack)
                  << "}\n";
        continue;
      }
      std::cout << r.name << "  schema=" << r.schema_fingerprint.substr(0, 16) << "  tables=["
                << Join(r.referenced_tables.value_or(std::vector<std::string>{})) << "]\n";
      auto abi = serde::DecodeMsgpack<artifacts::SchemaAbiPayload>(r.schema_msgpack.data);
      if (abi.ok()) {
        for (const auto& f : abi->fields) {
          std::cout << "    " << f.name << ": " << f.type << (f.nullable ? "" : " not null")
                    << "\n";
        }
      }
    }
  } else if (a.what == "writes") {
    ARROW_ASSIGN_OR_RAISE(auto rows, Rows<artifacts::WriteArtifactRow>(a.out));
    for (const auto& r : rows) {
      if (json) {
        std::cout << "{\"write\":" << serde::EncodeJson(r) << ",\"policy\":"
                  << Decoded<artifacts::DeltaWritePolicy>(r.delta_write_policy_msgpack)
                  << ",\"stats\":"
                  << Decoded<artifacts::DeltaStatsDecision>(r.delta_stats_decision_msgpack)
                  << "}\n";
        continue;
      }
      std::cout << r.destination << "  " << r.mode << "  v" << r.delta_version.value_or(-1)
                << "  rows=" << r.row_count.value_or(0) << "  " << r.status.value_or("") << "  "
                << r.duration_ms.value_or(0) << " ms\n";
    }
  } else if (a.what == "errors") {
    ARROW_ASSIGN_OR_RAISE(auto rows, Rows<artifacts::ExtractErrorsRow>(a.out));
    for (const auto& r : rows) {
      for (const auto& e : r.errors) {
        if (json) {
          std::cout << serde::EncodeJson(e) << "\n";
        } else {
          std::cout << e.path << ":" << e.bstart.value_or(0) << "  " << e.stage << "/" << e.code
                    << "  " << e.message << "\n";
        }
      }
    }
  } else if (a.what == "tables") {
    for (const char* name : {"cpg_nodes", "cpg_edges", "cpg_props", "cpg_props_map",
                             "cpg_edges_by_src", "cpg_edges_by_dst"}) {
      auto snapshot = delta::LoadSnapshot(a.out + "/" + name);
      if (!snapshot.ok()) {
        std::cout << name << "  <" << snapshot.status().ToString() << ">\n";
        continue;
      }
      const auto rows = (*snapshot)->NumRecords();
      if (json) {
        std::cout << "{\"table\":\"" << name << "\",\"version\":" << (*snapshot)->version
                  << ",\"files\":" << (*snapshot)->files.size() << ",\"rows\":" << rows.value_or(-1)
                  << "}\n";
      } else {
        std::cout << name << "  v" << (*snapshot)->version
                  << "  files=" << (*snapshot)->files.size() << "  rows=" << rows.value_or(-1)
                  << "\n";
      }
    }
  } else {
    return Status::Invalid("unknown inspect target '", a.what, "'");
  }
  return Status::OK();
}

}  // namespace

void AddInspectCommand(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Show a build's artifacts with their payloads decoded");
  cmd->add_option("out", args->out, "Output folder of a build")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("what", args->what, "runs | plans | views | writes | tables | errors")
      ->check(CLI::IsMember({"runs", "plans", "views", "writes", "tables", "errors"}))
      ->capture_default_str();
  cmd->add_option("--format", args->format, "table | json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([args] {
    auto st = Inspect(*args);
    if (!st.ok()) {
      std::cerr << "anatomy inspect: " << st.ToString() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace anatomy::cli
