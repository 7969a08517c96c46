# anatomy_layer(NAME SOURCES ... DEPS ...): one static library per layer, target anatomy_<NAME>.
function(anatomy_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  add_library(anatomy_${name} STATIC ${L_SOURCES})
  target_include_directories(anatomy_${name} PUBLIC "${CMAKE_SOURCE_DIR}/src")
  target_compile_options(anatomy_${name} PRIVATE ${ANATOMY_WARNINGS})
  target_link_libraries(anatomy_${name} PUBLIC ${L_DEPS})
endfunction()

# anatomy_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
function(anatomy_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_compile_options(${name} PRIVATE ${ANATOMY_WARNINGS})
  target_include_directories(${name} PRIVATE "${CMAKE_SOURCE_DIR}/tests")  # support/
  target_compile_definitions(${name} PRIVATE ANATOMY_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${T_LABELS}"
                       ENVIRONMENT "ANATOMY_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# anatomy_pytest(NAME PATH): a pytest file or folder run with the project virtualenv, label python.
# The tests find the build through ANATOMY_BUILD_DIR (binaries such as build/anatomy).
function(anatomy_pytest name path)
  add_test(NAME ${name}
           COMMAND "${ANATOMY_VENV}/bin/python" -m pytest -q -p no:cacheprovider "${path}"
           WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}")
  set_tests_properties(${name} PROPERTIES LABELS "python"
    ENVIRONMENT "ANATOMY_SOURCE_DIR=${CMAKE_SOURCE_DIR};ANATOMY_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()
