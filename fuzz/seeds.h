#pragma once

// `FUZZER --write-seeds DIR` writes the target's generated seeds into DIR and exits;
// scripts/run_fuzzers.sh calls it before a bounded run (libFuzzer itself would ignore the flag).

#include <cstdlib>
#include <cstring>
#include <string>

namespace anatomy::fuzz {

inline void HandleWriteSeeds(int* argc, char*** argv, void (*write_seeds)(const std::string& dir)) {
  for (int i = 1; i + 1 < *argc; ++i) {
    if (std::strcmp((*argv)[i], "--write-seeds") == 0) {
      write_seeds((*argv)[i + 1]);
      std::exit(0);
    }
  }
}

}  // namespace anatomy::fuzz
