{
  "targets": [
    {
      "target_name": "ipc_lab",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/errors.cc",
        "src/constants.cc",
        "src/fd.cc",
        "src/poll.cc",
        "src/blocking.cc",
        "src/mapping.cc",
        "src/memory.cc",
        "src/process.cc",
        "src/routines.cc",
        "src/process_routines.cc",
        "src/pipe.cc",
        "src/pipe_routines.cc",
        "src/fifo.cc",
        "src/shm.cc",
        "src/sysv_shm.cc",
        "src/sem.cc",
        "src/mqueue.cc",
        "src/mapped_file.cc",
        "src/mapped_file_routines.cc",
        "src/sysv_sem.cc",
        "src/signal.cc",
        "src/signal_routines.cc",
        "src/socket.cc",
        "src/trace.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"],
      "libraries": ["-lrt", "-pthread"]
    }
  ]
}
