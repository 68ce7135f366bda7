// The only translation unit that sees sentencepiece; built as libpolar_spm.so.
#include "model/tokenizer_module_abi.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <memory>
#include <string>

struct PolarSpm
{
    sentencepiece::SentencePieceProcessor sp;
};

namespace {

void copyError(const std::string &msg, char *err, size_t errLen)
{
    if (!err || errLen == 0)
        return;
    std::strncpy(err, msg.c_str(), errLen - 1);
    err[errLen - 1] = '\0';
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int polar_spm_abi_version(void)
{
    return POLAR_SPM_ABI_VERSION;
}

__attribute__((visibility("default"))) PolarSpm *polar_spm_open(const char *path, char *err, size_t errLen)
{
    try {
        auto spm = std::make_unique<PolarSpm>();
        const auto status = spm->sp.Load(path);
        if (!status.ok()) {
            copyError(status.ToString(), err, errLen);
            return nullptr;
        }
        return spm.release();
    } catch (const std::exception &e) {
        copyError(e.what(), err, errLen);
        return nullptr;
    }
}

__attribute__((visibility("default"))) void polar_spm_close(PolarSpm *spm)
{
    delete spm;
}

__attribute__((visibility("default"))) int polar_spm_piece_count(const PolarSpm *spm)
{
    return spm->sp.GetPieceSize();
}

__attribute__((visibility("default"))) const char *polar_spm_piece(const PolarSpm *spm, int id, int *type)
{
    const auto &sp = spm->sp;
    if (type) {
        if (sp.IsByte(id))
            *type = POLAR_SPM_BYTE;
        else if (sp.IsUnknown(id))
            *type = POLAR_SPM_UNKNOWN;
        else if (sp.IsControl(id))
            *type = POLAR_SPM_CONTROL;
        else if (sp.IsUnused(id))
            *type = POLAR_SPM_UNUSED;
        else
            *type = POLAR_SPM_NORMAL;
    }
    return sp.IdToPiece(id).c_str();
}

__attribute__((visibility("default"))) void polar_spm_special_ids(const PolarSpm *spm, int *bos, int *eos, int *unk, int *pad)
{
    *bos = spm->sp.bos_id();
    *eos = spm->sp.eos_id();
    *unk = spm->sp.unk_id();
    *pad = spm->sp.pad_id();
}

__attribute__((visibility("default"))) int polar_spm_encode(const PolarSpm *spm, const char *text, size_t len,
                                                            int *ids, int *begins, int *ends, int cap)
{
    try {
        const auto out = spm->sp.EncodeAsImmutableProto(absl::string_view(text, len));
        const int n = int(out.pieces_size());
        for (int i = 0; i < n && i < cap; ++i) {
            const auto piece = out.pieces(i);
            ids[i] = int(piece.id());
            begins[i] = int(piece.begin());
            ends[i] = int(piece.end());
        }
        return n;
    } catch (...) {
        return -1;
    }
}

} // extern "C"
