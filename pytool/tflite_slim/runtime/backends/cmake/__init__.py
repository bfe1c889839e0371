"""The CMake backend (:mod:`.backend`) and its parts: the project we configure LiteRT's tree with
(:mod:`.project`), the flags (:mod:`.flags`), the toolchains (:mod:`.toolchain`), the sources CMake reads
(:mod:`.sources`), the build directory's inputs (:mod:`.inputs`) and CMake's and Ninja's errors (:mod:`.errors`)."""
