# One library per folder, each on a layer. Links point down only:
#   0 common -> 1 crypto, store, office -> 2 domain, tlog -> 3 sync, reports -> 4 cli, web -> 5 edge, central -> 6 tools
# A library may link gridsync libraries on strictly lower layers; equal layers
# (crypto and store, edge and central) never see each other.
set(GRIDSYNC_LAYER_common 0)
set(GRIDSYNC_LAYER_crypto 1)
set(GRIDSYNC_LAYER_store 1)
set(GRIDSYNC_LAYER_office 1)
set(GRIDSYNC_LAYER_domain 2)
set(GRIDSYNC_LAYER_tlog 2)
set(GRIDSYNC_LAYER_sync 3)
set(GRIDSYNC_LAYER_reports 3)
set(GRIDSYNC_LAYER_cli 4)
set(GRIDSYNC_LAYER_web 4)
set(GRIDSYNC_LAYER_edge 5)
set(GRIDSYNC_LAYER_central 5)
set(GRIDSYNC_LAYER_tools 6)

# Fails configuration when `name` may not link `dep`.
function(gridsync_check_layer name dep)
    if(NOT DEFINED GRIDSYNC_LAYER_${name})
        message(FATAL_ERROR "gridsync: '${name}' has no layer in GridsyncLayers.cmake")
    endif()
    if(NOT DEFINED GRIDSYNC_LAYER_${dep})
        message(FATAL_ERROR "gridsync: '${dep}' has no layer in GridsyncLayers.cmake")
    endif()
    if(NOT GRIDSYNC_LAYER_${dep} LESS GRIDSYNC_LAYER_${name})
        message(FATAL_ERROR
            "gridsync: '${name}' (layer ${GRIDSYNC_LAYER_${name}}) may not link '${dep}' "
            "(layer ${GRIDSYNC_LAYER_${dep}}): links point down only")
    endif()
endfunction()

# gridsync_library(NAME <folder> [SOURCES ...] [GRIDSYNC ...] [PUBLIC ...] [PRIVATE ...])
#   GRIDSYNC: gridsync libraries this one builds on (checked against the layers)
#   PUBLIC/PRIVATE: other (system) targets
function(gridsync_library)
    cmake_parse_arguments(ARG "" "NAME" "SOURCES;GRIDSYNC;PUBLIC;PRIVATE" ${ARGN})
    set(target gridsync_${ARG_NAME})
    if(ARG_SOURCES)
        add_library(${target} STATIC ${ARG_SOURCES})
        set(scope PUBLIC)
        gridsync_warnings(${target})
    else()
        add_library(${target} INTERFACE)
        set(scope INTERFACE)
    endif()
    add_library(gridsync::${ARG_NAME} ALIAS ${target})
    target_include_directories(${target} ${scope} ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_compile_features(${target} ${scope} cxx_std_20)
    foreach(dep IN LISTS ARG_GRIDSYNC)
        gridsync_check_layer(${ARG_NAME} ${dep})
        target_link_libraries(${target} ${scope} gridsync::${dep})
    endforeach()
    if(ARG_PUBLIC)
        target_link_libraries(${target} ${scope} ${ARG_PUBLIC})
    endif()
    if(ARG_PRIVATE)
        target_link_libraries(${target} PRIVATE ${ARG_PRIVATE})
    endif()
endfunction()

# Project code (libraries, programs, tests): every warning is an error. In
# optimized builds GCC 12 reports maybe-uninitialized, restrict and
# stringop-overread inside libstdc++'s std::optional, std::string and
# std::vector comparisons that are not there (known false positives of that
# compiler at -O3); those three are off there, and on in the dev build.
option(GRIDSYNC_WERROR "Warnings are errors (off only for the clang fuzz build)" ON)
function(gridsync_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers
        $<$<BOOL:${GRIDSYNC_WERROR}>:-Werror>
        $<$<NOT:$<CONFIG:Debug>>:-Wno-maybe-uninitialized -Wno-restrict -Wno-stringop-overread>)
endfunction()

# gridsync_program(NAME <exe> LAYER <folder> SOURCES ... GRIDSYNC ... [PRIVATE ...])
# A program lives in a folder and may use that folder's library and anything
# below it.
function(gridsync_program)
    cmake_parse_arguments(ARG "" "NAME;LAYER" "SOURCES;GRIDSYNC;PRIVATE" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    gridsync_warnings(${ARG_NAME})
    foreach(dep IN LISTS ARG_GRIDSYNC)
        if(NOT dep STREQUAL ARG_LAYER)
            gridsync_check_layer(${ARG_LAYER} ${dep})
        endif()
        target_link_libraries(${ARG_NAME} PRIVATE gridsync::${dep})
    endforeach()
    if(ARG_PRIVATE)
        target_link_libraries(${ARG_NAME} PRIVATE ${ARG_PRIVATE})
    endif()
endfunction()
