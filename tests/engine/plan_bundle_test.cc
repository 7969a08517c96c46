#include "anatomy/engine/plan_bundle.h"

#include <arrow/compute/initialize.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "anatomy/serde/msgpack_codec.h"
#include "plan_fixture.h"

namespace anatomy::engine {
namespace {

class PlanBundleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(arrow::compute::Initialize().ok()); }

  PlanBundle Compile(const Session& session, const LogicalPlan& plan) {
    auto bundle = CompilePlan(session, "select_id", plan);
    EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
    return bundle.ValueOrDie();
  }
};

std::string GoldenText(const PlanBundle& b) {
  std::ostringstream out;
  out << "# plan golden: SELECT id FROM events WHERE id > 1 (UPDATE_GOLDENS=1 rewrites)\n";
  out << "[logical]\n" << b.logical_text;
  out << "[physical]\n" << b.physical_text << "\n";
  out << "[settings]\n";
  for (const auto& [k, v] : b.settings) out << k << " = " << v << "\n";
  out << "[hashes]\n";
  out << "information_schema_hash = " << b.information_schema_hash << "\n";
  const auto& a = b.details.determinism_audit;
  out << "plan_fingerprint = " << a.plan_fingerprint << "\n";
  out << "planning_env_hash = " << a.planning_env_hash << "\n";
  out << "settings_hash = " << a.settings_hash << "\n";
  out << "function_registry_hash = " << a.function_registry_hash << "\n";
  out << "schema_contract_hash = " << a.schema_contract_hash << "\n";
  out << "plan_identity_hash = " << b.plan_identity_hash << "\n";
  out << "[required_functions]\n";
  for (const auto& f : b.plan.required_functions) out << f << "\n";
  return out.str();
}

TEST_F(PlanBundleTest, Golden) {
  auto session = testing::FixedSession();
  auto bundle = Compile(*session, testing::SelectIdWhereIdGreaterThan(*session));
  const std::string path =
      std::string(ANATOMY_SOURCE_DIR) + "/tests/engine/goldens/select_id_plan.txt";
  const std::string actual = GoldenText(bundle);
  if (std::getenv("UPDATE_GOLDENS")) {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing golden " << path << "; run with UPDATE_GOLDENS=1";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "the plan changed; if on purpose, UPDATE_GOLDENS=1";
}

TEST_F(PlanBundleTest, PayloadsDecodeAndAgree) {
  auto session = testing::FixedSession();
  auto bundle = Compile(*session, testing::SelectIdWhereIdGreaterThan(*session));
  auto row = PlanArtifact(bundle, "default");
  EXPECT_EQ(row.view_name, "select_id");
  EXPECT_EQ(row.plan_fingerprint.size(), 64u);
  auto lineage = serde::DecodeMsgpack<artifacts::LineagePayload>(row.lineage_msgpack.data);
  ASSERT_TRUE(lineage.ok()) << lineage.status().ToString();
  EXPECT_EQ(*lineage, bundle.plan.lineage);
  auto details = serde::DecodeMsgpack<artifacts::PlanDetailsPayload>(row.plan_details_msgpack.data);
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->determinism_audit.plan_fingerprint, row.plan_fingerprint);
  EXPECT_EQ(details->schema_names, std::vector<std::string>{"id"});
  ASSERT_EQ(details->schema_describe.size(), 1u);
  EXPECT_EQ(details->schema_describe[0].source, "events.id");
  auto tree = serde::DecodeMsgpack<artifacts::PlanTreePayload>(row.logical_plan_msgpack.data);
  ASSERT_TRUE(tree.ok());
  ASSERT_EQ(tree->nodes.size(), 1u);
  EXPECT_EQ(tree->nodes[0].kind, "scan");
  // The fingerprint is sha256 of the ordered inputs' msgpack, as CONTRACTS.md defines it.
  artifacts::PlanFingerprintInputs inputs{serde::Fingerprint(bundle.tree),
                                          bundle.settings_hash,
                                          bundle.planning_env_hash,
                                          bundle.information_schema_hash,
                                          bundle.function_registry_hash,
                                          bundle.plan.required_functions,
                                          bundle.delta_inputs};
  EXPECT_EQ(serde::Fingerprint(inputs), bundle.plan_fingerprint);
}

TEST_F(PlanBundleTest, SameInputsSameFingerprints) {
  auto s1 = testing::FixedSession();
  auto s2 = testing::FixedSession();
  auto b1 = Compile(*s1, testing::SelectIdWhereIdGreaterThan(*s1));
  auto b2 = Compile(*s2, testing::SelectIdWhereIdGreaterThan(*s2));
  EXPECT_EQ(b1.plan_fingerprint, b2.plan_fingerprint);
  EXPECT_EQ(b1.plan_identity_hash, b2.plan_identity_hash);
  EXPECT_EQ(serde::EncodeMsgpack(b1.details), serde::EncodeMsgpack(b2.details));
}

TEST_F(PlanBundleTest, SettingPlanAndInputVersionChangeTheFingerprint) {
  auto base_session = testing::FixedSession();
  const auto base = Compile(*base_session, testing::SelectIdWhereIdGreaterThan(*base_session));

  SessionOptions other;
  other.batch_size = 1024;
  auto setting_session = testing::FixedSession(other);
  auto setting = Compile(*setting_session, testing::SelectIdWhereIdGreaterThan(*setting_session));
  EXPECT_NE(setting.plan_fingerprint, base.plan_fingerprint);
  EXPECT_NE(setting.settings_hash, base.settings_hash);

  auto plan_changed = Compile(*base_session, testing::SelectIdWhereIdGreaterThan(*base_session, 2));
  EXPECT_NE(plan_changed.plan_fingerprint, base.plan_fingerprint);
  EXPECT_EQ(plan_changed.information_schema_hash, base.information_schema_hash);

  // A new version of the input (re-ingested under the same name) is a different input.
  auto version_session = testing::FixedSession();
  ASSERT_TRUE(version_session->Ingest("events", testing::FixedEvents(), {.replace = true}).ok());
  auto version = Compile(*version_session, testing::SelectIdWhereIdGreaterThan(*version_session));
  EXPECT_NE(version.information_schema_hash, base.information_schema_hash);
  EXPECT_NE(version.plan_fingerprint, base.plan_fingerprint);
}

std::string RunProbe() {
  std::string out;
  FILE* pipe = popen(ANATOMY_PLAN_PROBE, "r");
  if (!pipe) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  EXPECT_EQ(pclose(pipe), 0);
  return out;
}

TEST_F(PlanBundleTest, TwoProcessesAgree) {
  const std::string first = RunProbe();
  const std::string second = RunProbe();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  auto session = testing::FixedSession();
  auto bundle = Compile(*session, testing::SelectIdWhereIdGreaterThan(*session));
  EXPECT_EQ(first.substr(0, 64), bundle.plan_fingerprint);
}

}  // namespace
}  // namespace anatomy::engine
