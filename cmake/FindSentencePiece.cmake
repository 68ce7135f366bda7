# Finds the sentencepiece C++ library, which ships no CMake config.
# Set SENTENCEPIECE_ROOT to look under a prefix first (e.g. unpacked .debs).
find_path(SentencePiece_INCLUDE_DIR sentencepiece_processor.h
    HINTS ${SENTENCEPIECE_ROOT}/include ${SENTENCEPIECE_ROOT}/usr/include)
find_library(SentencePiece_LIBRARY sentencepiece
    HINTS ${SENTENCEPIECE_ROOT}/lib ${SENTENCEPIECE_ROOT}/lib/x86_64-linux-gnu
          ${SENTENCEPIECE_ROOT}/usr/lib/x86_64-linux-gnu)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SentencePiece
    REQUIRED_VARS SentencePiece_LIBRARY SentencePiece_INCLUDE_DIR)
if(SentencePiece_FOUND AND NOT TARGET SentencePiece::SentencePiece)
    add_library(SentencePiece::SentencePiece UNKNOWN IMPORTED)
    set_target_properties(SentencePiece::SentencePiece PROPERTIES
        IMPORTED_LOCATION "${SentencePiece_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SentencePiece_INCLUDE_DIR}")
endif()
