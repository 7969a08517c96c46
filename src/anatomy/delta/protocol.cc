#include "anatomy/delta/protocol.h"

#include <algorithm>

#include "anatomy/delta/constraints.h"

namespace anatomy::delta {

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

const std::vector<std::string>& SupportedReaderFeatures() {
  // vacuumProtocolCheck asks nothing of readers; v2Checkpoint: UUID checkpoints + sidecars.
  static const std::vector<std::string> kFeatures = {
      "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"};
  return kFeatures;
}

const std::vector<std::string>& SupportedWriterFeatures() {
  // appendOnly: honoured; invariants/checkConstraints: evaluated on write when our predicate
  // grammar expresses them, otherwise refused (constraints.h); generatedColumns: honoured by
  // refusing tables that define any (see CheckWriteSupported); changeDataFeed: we never update
  // rows in place, so add/remove (and DV pairs) carry the change; domainMetadata: preserved;
  // deletionVectors: removes carry the DV, row-level replaces and deletes write DVs when the table
  // enables them; inCommitTimestamp: written on every commit when enabled; columnMapping (name,
  // id): data files, partition values and stats use physical names and field ids
  // (column_mapping.h); v2Checkpoint: UUID-named V2-spec checkpoints, never multi-part
  // (checkpoint_writer.h).
  static const std::vector<std::string> kFeatures = {
      "appendOnly",        "invariants",          "checkConstraints", "generatedColumns",
      "changeDataFeed",    "timestampNtz",        "domainMetadata",   "deletionVectors",
      "inCommitTimestamp", "vacuumProtocolCheck", "columnMapping",    "v2Checkpoint"};
  return kFeatures;
}

bool HasReaderFeature(const Protocol& p, const std::string& feature) {
  if (p.min_reader_version >= 3) return p.reader_features && Contains(*p.reader_features, feature);
  if (feature == "columnMapping") return p.min_reader_version >= 2;
  return false;
}

// Writer features of the legacy writer versions, with the version that introduced each.
const std::vector<std::pair<std::string, int>> kLegacyWriterFeatures = {
    {"appendOnly", 2},       {"invariants", 2},    {"checkConstraints", 3}, {"changeDataFeed", 4},
    {"generatedColumns", 4}, {"columnMapping", 5}, {"identityColumns", 6}};

bool HasWriterFeature(const Protocol& p, const std::string& feature) {
  if (p.min_writer_version >= 7) return p.writer_features && Contains(*p.writer_features, feature);
  for (const auto& [name, v] : kLegacyWriterFeatures) {
    if (name == feature) return p.min_writer_version >= v;
  }
  return false;
}

Protocol WithFeatures(const Protocol& p, const std::vector<std::string>& features) {
  std::vector<std::string> reader, writer;
  if (p.min_reader_version >= 3) {
    reader = p.reader_features.value_or(std::vector<std::string>{});
  } else if (p.min_reader_version == 2) {
    reader = {"columnMapping"};
  }
  if (p.min_writer_version >= 7) {
    writer = p.writer_features.value_or(std::vector<std::string>{});
  } else {
    for (const auto& [name, v] : kLegacyWriterFeatures) {
      if (p.min_writer_version >= v) writer.push_back(name);
    }
  }
  bool changed = false;
  for (const auto& f : features) {
    if (HasWriterFeature(p, f) &&
        (!Contains(SupportedReaderFeatures(), f) || HasReaderFeature(p, f)))
      continue;
    changed = true;
    if (!Contains(writer, f)) writer.push_back(f);
    if (Contains(SupportedReaderFeatures(), f) && !Contains(reader, f)) reader.push_back(f);
  }
  if (!changed) return p;
  Protocol out = p;
  out.min_writer_version = 7;
  out.writer_features = writer;
  if (!reader.empty()) {
    out.min_reader_version = 3;
    out.reader_features = reader;
  }
  return out;
}

Status CheckReadSupported(const Protocol& p) {
  // Name unknown features first: they say more than a version number does.
  if (p.reader_features) {
    for (const auto& f : *p.reader_features) {
      if (!Contains(SupportedReaderFeatures(), f)) {
        return Status::NotImplemented("table requires unsupported reader feature '", f,
                                      "' (anatomy reads: ", Join(SupportedReaderFeatures()), ")");
      }
    }
  }
  if (p.min_reader_version < 1 || p.min_reader_version > kMaxReaderVersion) {
    return Status::NotImplemented("table requires reader version ", p.min_reader_version,
                                  "; anatomy reads versions 1-", kMaxReaderVersion);
  }
  if (p.min_reader_version == 3 && !p.reader_features) {
    return Status::Invalid("protocol has reader version 3 but no readerFeatures");
  }
  return Status::OK();
}

Status CheckWriteSupported(const Protocol& p, const Metadata& m) {
  ARROW_RETURN_NOT_OK(CheckReadSupported(p));
  if (p.min_writer_version < 1 || p.min_writer_version > kMaxWriterVersion) {
    return Status::NotImplemented("table requires writer version ", p.min_writer_version,
                                  "; anatomy writes versions 1-", kMaxWriterVersion);
  }
  if (p.min_writer_version == 7) {
    if (!p.writer_features)
      return Status::Invalid("protocol has writer version 7 but no writerFeatures");
    for (const auto& f : *p.writer_features) {
      if (!Contains(SupportedWriterFeatures(), f)) {
        return Status::NotImplemented("table requires unsupported writer feature '", f,
                                      "' (anatomy writes: ", Join(SupportedWriterFeatures()), ")");
      }
    }
  } else if (p.min_writer_version == 6) {
    return Status::NotImplemented(
        "table requires unsupported writer feature 'identityColumns' (writer version 6)");
  }
  auto mode = m.configuration.find("delta.columnMapping.mode");
  if (mode != m.configuration.end() && mode->second != "none" && mode->second != "name" &&
      mode->second != "id") {
    return Status::NotImplemented("table has unknown column mapping mode '", mode->second,
                                  "' (anatomy writes none, name and id)");
  }
  // CHECK constraints and invariants are evaluated on write when our grammar expresses them;
  // a table with any other is refused here, naming it.
  if (m.schema_string.find("delta.invariants") != std::string::npos ||
      std::any_of(m.configuration.begin(), m.configuration.end(),
                  [](const auto& kv) { return kv.first.rfind("delta.constraints.", 0) == 0; })) {
    ARROW_ASSIGN_OR_RAISE(auto schema, ParseSchema(m.schema_string, "metaData"));
    ARROW_RETURN_NOT_OK(TableConstraints(m, schema).status());
  }
  if (m.schema_string.find("delta.generationExpression") != std::string::npos) {
    return Status::NotImplemented(
        "table schema has generated columns (feature 'generatedColumns')");
  }
  if (m.schema_string.find("delta.identity.") != std::string::npos) {
    return Status::NotImplemented("table schema has identity columns (feature 'identityColumns')");
  }
  return Status::OK();
}

}  // namespace anatomy::delta
