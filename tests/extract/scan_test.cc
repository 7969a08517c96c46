// Repository scan: skipped folders, .gitignore subset, symlinks, globs, module names, encodings.
#include "anatomy/extract/scan.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "anatomy/extract/gitignore.h"
#include "anatomy/extract/glob.h"
#include "test_util.h"

namespace anatomy::extract {
namespace {

using testing::TempRepo;

std::vector<std::string> Paths(const ScanResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) out.push_back(f.path);
  return out;
}

TEST(Glob, SegmentsStarsAndClasses) {
  EXPECT_TRUE(GlobMatch("*.py", "a.py"));
  EXPECT_FALSE(GlobMatch("*.py", "d/a.py"));
  EXPECT_TRUE(GlobMatch("**/*.py", "d/e/a.py"));
  EXPECT_TRUE(GlobMatch("**/*.py", "a.py"));
  EXPECT_TRUE(GlobMatch("d/**", "d/e/f"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatch("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(GlobMatch("te?t_[a-c]*.py", "test_b1.py"));
  EXPECT_FALSE(GlobMatch("te?t_[!a-c]*.py", "test_b1.py"));
  EXPECT_TRUE(GlobMatch("\\*.py", "*.py"));
  EXPECT_FALSE(GlobMatch("\\*.py", "a.py"));
}

TEST(Gitignore, LastMatchWinsWithNegationDirOnlyAndAnchors) {
  auto rules = GitignoreRules::Parse("# c\n*.log\n!keep.log\nbuild/\n/top.txt\ndocs/*.md\n", "");
  EXPECT_EQ(rules.Match("x.log", false), 1);
  EXPECT_EQ(rules.Match("a/b/x.log", false), 1);
  EXPECT_EQ(rules.Match("a/keep.log", false), -1);
  EXPECT_EQ(rules.Match("a/build", true), 1);
  EXPECT_EQ(rules.Match("a/build", false), 0);
  EXPECT_EQ(rules.Match("top.txt", false), 1);
  EXPECT_EQ(rules.Match("a/top.txt", false), 0);
  EXPECT_EQ(rules.Match("docs/x.md", false), 1);
  EXPECT_EQ(rules.Match("a/docs/x.md", false), 0);
  auto nested = GitignoreRules::Parse("gen.py\n", "pkg");
  EXPECT_EQ(nested.Match("pkg/gen.py", false), 1);
  EXPECT_EQ(nested.Match("pkg/sub/gen.py", false), 1);
  EXPECT_EQ(nested.Match("gen.py", false), 0);
}

TEST(Scan, SkipsVcsVenvCachesAndHonoursGitignore) {
  TempRepo repo;
  repo.Write("a.py", "x = 1\n");
  repo.Write("notes.log", "");
  repo.Write("keep.log", "");
  repo.Write(".gitignore", "*.log\n!keep.log\ngenerated/\n");
  repo.Write(".git/config", "");
  repo.Write("env/pyvenv.cfg", "home = /usr\n");
  repo.Write("env/lib/site.py", "");
  repo.Write(".venv/x.py", "");
  repo.Write("pkg/__pycache__/a.cpython-311.pyc", "");
  repo.Write("node_modules/m/index.js", "");
  repo.Write("pkg/__init__.py", "");
  repo.Write("pkg/generated/g.py", "");
  repo.Write("pkg/.gitignore", "local_*.py\n");
  repo.Write("pkg/local_cfg.py", "");
  repo.Write("pkg/mod.py", "");
  auto r = ScanRepository({repo.root(), {}, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{".gitignore", "a.py", "keep.log", "pkg/.gitignore",
                                                 "pkg/__init__.py", "pkg/mod.py"}));
  EXPECT_TRUE(r->files[1].is_python);
  EXPECT_FALSE(r->files[2].is_python);
}

TEST(Scan, PackagesNamedLikeToolOutputAreScanned) {
  // The standard library's `venv` and pypa's `build` are packages; a virtualenv or a build
  // folder of the same names is not.
  TempRepo repo;
  repo.Write("lib/venv/__init__.py", "");
  repo.Write("lib/venv/__main__.py", "");
  repo.Write("src/build/__init__.py", "");
  repo.Write("src/build/env.py", "");
  repo.Write("venv/pyvenv.cfg", "home = /usr\n");
  repo.Write("venv/lib/python3.12/site-packages/six.py", "");
  repo.Write("build/lib/pkg/__init__.py", "");
  repo.Write("dist/pkg-1.0.tar.gz", "");
  auto r = ScanRepository({repo.root(), {}, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{"lib/venv/__init__.py", "lib/venv/__main__.py",
                                                 "src/build/__init__.py", "src/build/env.py"}));
}

TEST(Scan, IncludeExcludeGlobs) {
  TempRepo repo;
  repo.Write("a.py", "");
  repo.Write("b.txt", "");
  repo.Write("tests/t.py", "");
  repo.Write("src/m.py", "");
  auto r = ScanRepository({repo.root(), {"**/*.py"}, {"tests"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{"a.py", "src/m.py"}));
}

TEST(Scan, SymlinksNeverLeaveTheRepository) {
  TempRepo repo, outside;
  outside.Write("secret.py", "x = 1\n");
  repo.Write("real.py", "y = 2\n");
  std::filesystem::create_symlink(outside.root() + "/secret.py", repo.root() + "/leak.py");
  std::filesystem::create_symlink(repo.root() + "/real.py", repo.root() + "/alias.py");
  std::filesystem::create_directory_symlink(outside.root(), repo.root() + "/outdir");
  auto r = ScanRepository({repo.root(), {}, {}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{"alias.py", "real.py"}));
  ASSERT_EQ(r->problems.size(), 2u);
  EXPECT_EQ(r->problems[0].code, "SYMLINK_OUTSIDE_REPO");
}

TEST(Scan, MissingRootIsAnError) {
  auto r = ScanRepository({"/nonexistent/anatomy/repo", {}, {}});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/anatomy/repo"), std::string::npos);
}

TEST(Scan, ModuleNames) {
  EXPECT_EQ(ModuleNameForPath("pkg/mod.py"), "pkg.mod");
  EXPECT_EQ(ModuleNameForPath("pkg/__init__.py"), "pkg");
  EXPECT_EQ(ModuleNameForPath("a/b/__init__.py"), "a.b");
  EXPECT_EQ(ModuleNameForPath("top.py"), "top");
}

TEST(Scan, EncodingFromBomAndCookie) {
  EXPECT_EQ(DetectEncoding("x = 1\n"), "utf-8");
  EXPECT_EQ(DetectEncoding("\xEF\xBB\xBFx = 1\n"), "utf-8-sig");
  EXPECT_EQ(DetectEncoding("# -*- coding: latin-1 -*-\n"), "iso-8859-1");
  EXPECT_EQ(DetectEncoding("#!/usr/bin/python\n# vim: set fileencoding=cp1252 :\n"), "cp1252");
  EXPECT_EQ(DetectEncoding("x = 1\n# coding: latin-1\n"), "utf-8");  // cookie only on lines 1-2
  EXPECT_EQ(DetectEncoding("\n\n# coding: latin-1\n"), "utf-8");
  EXPECT_EQ(DetectEncoding("# coding=UTF_8\n"), "utf-8");
}

}  // namespace
}  // namespace anatomy::extract
