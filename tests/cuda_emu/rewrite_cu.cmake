# Rewrites a .cu file into C++ for the CUDA emulator (cuda_runtime.h): a launch
# `kernel<<<config>>>(args)` becomes `::cuda_emu::Launch(config).run("kernel", kernel, args)`,
# `__shared__ T name[N];` becomes a reference to the running block's copy (fresh for each
# block, filled with a pattern, not zeros), and `extern __shared__ T name[];` a pointer to the
# block's dynamic shared memory.
# Usage: cmake -DIN=file.cu -DOUT=file.cpp -P rewrite_cu.cmake
file(READ "${IN}" src)
string(REGEX REPLACE "([A-Za-z_][A-Za-z_0-9]*)<<<([^>]*(>[^>][^>]*)*)>>>\\(\\)"
       "::cuda_emu::Launch(\\2).run(\"\\1\", \\1)" src "${src}")
string(REGEX REPLACE "([A-Za-z_][A-Za-z_0-9]*)<<<([^>]*(>[^>][^>]*)*)>>>\\("
       "::cuda_emu::Launch(\\2).run(\"\\1\", \\1, " src "${src}")
string(REGEX REPLACE "__shared__ (__align__\\([0-9]+\\) )?((unsigned |signed )?(long long|[A-Za-z_][A-Za-z_0-9:]*)) ([A-Za-z_][A-Za-z_0-9]*)((\\[[^;]+\\])*);"
       "static char \\5_emu_tag; \\2 (&\\5)\\6 = ::cuda_emu::block_shared<\\2\\6>(&\\5_emu_tag);" src "${src}")
string(REGEX REPLACE "extern __shared__ ([A-Za-z_][A-Za-z_0-9:]*) ([A-Za-z_][A-Za-z_0-9]*)\\[\\];"
       "\\1* const \\2 = ::cuda_emu::dynamic_shared<\\1>();" src "${src}")
if(src MATCHES "<<<|>>>|__shared__")
  message(FATAL_ERROR "${IN}: a launch or shared declaration the CUDA emulator's rewrite does not understand")
endif()
file(WRITE "${OUT}.tmp" "#line 1 \"${IN}\"\n${src}")
file(RENAME "${OUT}.tmp" "${OUT}")
