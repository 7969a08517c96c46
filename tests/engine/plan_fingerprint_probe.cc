// Prints the identifying hashes of the fixed plan, so that a test can compare two processes.
#include <arrow/compute/initialize.h>

#include <iostream>

#include "plan_fixture.h"

int main() {
  if (!arrow::compute::Initialize().ok()) return 1;
  using namespace anatomy::engine;
  auto session = testing::FixedSession();
  auto bundle = CompilePlan(*session, "select_id", testing::SelectIdWhereIdGreaterThan(*session));
  if (!bundle.ok()) {
    std::cerr << bundle.status().ToString() << "\n";
    return 1;
  }
  std::cout << bundle->plan_fingerprint << " " << bundle->plan_identity_hash << " "
            << bundle->information_schema_hash << " " << bundle->function_registry_hash << "\n";
  return 0;
}
