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
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${T_LABELS}"
                       ENVIRONMENT "ANATOMY_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
