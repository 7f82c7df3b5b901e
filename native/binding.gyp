{
  "targets": [
    {
      "target_name": "gradstream_gemm",
      "sources": ["gemm.cc"],
      "cflags!": ["-ffast-math"],
      "cflags_cc!": ["-ffast-math", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-fast-math"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-fast-math"]
      }
    }
  ]
}
