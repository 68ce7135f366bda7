#pragma once

// The C interface of the sentencepiece module (libpolar_spm.so).
//
// Why a module: Debian's libsentencepiece carries its own protobuf-lite, and
// libtorch links the full libprotobuf. Both in one symbol namespace crash at
// load time, so sentencepiece lives in a shared object that core opens in a
// link-map namespace of its own (dlmopen(LM_ID_NEWLM)) and talks to through
// plain C: no C++ object, allocation or exception crosses the boundary.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POLAR_SPM_ABI_VERSION 1

typedef struct PolarSpm PolarSpm;

// Piece kinds, as sentencepiece's ModelProto names them.
enum PolarSpmPieceType {
    POLAR_SPM_NORMAL = 1,
    POLAR_SPM_UNKNOWN = 2,
    POLAR_SPM_CONTROL = 3,
    POLAR_SPM_USER_DEFINED = 4,
    POLAR_SPM_UNUSED = 5,
    POLAR_SPM_BYTE = 6,
};

int polar_spm_abi_version(void);
// Returns NULL on failure with a message in err.
PolarSpm *polar_spm_open(const char *model_path, char *err, size_t err_len);
void polar_spm_close(PolarSpm *spm);
int polar_spm_piece_count(const PolarSpm *spm);
// The piece's text (valid while spm is open) and its PolarSpmPieceType.
const char *polar_spm_piece(const PolarSpm *spm, int id, int *type);
// bos, eos, unk, pad ids as the model file declares them (-1 when disabled).
void polar_spm_special_ids(const PolarSpm *spm, int *bos, int *eos, int *unk, int *pad);
// Encodes len bytes of text; writes at most cap ids with their byte spans in
// text. Returns the number of pieces (call again with a larger cap when it
// exceeds cap), or -1 on error.
int polar_spm_encode(const PolarSpm *spm, const char *text, size_t len,
                     int *ids, int *begins, int *ends, int cap);

#ifdef __cplusplus
}
#endif
