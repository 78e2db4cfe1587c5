# Finds every dependency once, for the whole tree. See docs/DEPENDENCIES.md.
find_package(Threads REQUIRED)
find_package(hwy REQUIRED)                 # libhwy-dev: hwy::hwy
find_package(dnnl REQUIRED)                # libdnnl-dev: DNNL::dnnl
find_package(OpenSSL 3 REQUIRED)           # libssl-dev: OpenSSL::SSL, OpenSSL::Crypto
find_package(GTest REQUIRED)               # googletest
find_package(benchmark REQUIRED)           # libbenchmark-dev
find_package(CLI11 REQUIRED)               # libcli11-dev: CLI11::CLI11
find_package(tomlplusplus REQUIRED)        # libtomlplusplus-dev: tomlplusplus::tomlplusplus
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(fmt REQUIRED)                 # libfmt-dev
find_package(spdlog REQUIRED)              # libspdlog-dev
find_package(ZLIB REQUIRED)                # zlib1g-dev: the datasets are .gz
find_package(Protobuf REQUIRED)            # libprotobuf-dev: protobuf::libprotobuf, which ONNX's messages use
find_package(ONNX REQUIRED)                # libonnx-dev: onnx_proto (ONNX export and import, host/nn)

# XRT ships no CMake config and a broken xrt.pc: find the header and the
# library by hand and wrap them in our own imported target.
set(SQT_HAVE_XRT OFF)
if(SQT_WITH_XRT)
  find_path(XRT_INCLUDE_DIR xrt/xrt_device.h PATHS /usr/include/xrt /opt/xilinx/xrt/include)
  find_library(XRT_COREUTIL_LIBRARY xrt_coreutil PATHS /opt/xilinx/xrt/lib)
  if(XRT_INCLUDE_DIR AND XRT_COREUTIL_LIBRARY)
    add_library(sqt_xrt INTERFACE IMPORTED GLOBAL)
    # Only the xrt/ subfolder prefix is used in our includes (xrt/xrt_device.h),
    # so XRT's generic header names (types.h, version.h) never shadow ours.
    target_include_directories(sqt_xrt INTERFACE ${XRT_INCLUDE_DIR})
    target_link_libraries(sqt_xrt INTERFACE ${XRT_COREUTIL_LIBRARY})
    set(SQT_HAVE_XRT ON)
  endif()
endif()
message(STATUS "SQT: FPGA backend (XRT) ${SQT_HAVE_XRT}")
