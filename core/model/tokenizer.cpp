#include "model/tokenizer.h"

#include "util/error.h"
#include "util/files.h"
#include "model/tokenizer_module_abi.h"

#include "util/json.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <set>
#include <unistd.h>

namespace polar {

namespace {

// The sentencepiece module, opened once per process.
struct SpmModule
{
    int (*abiVersion)() = nullptr;
    PolarSpm *(*open)(const char *, char *, size_t) = nullptr;
    void (*close)(PolarSpm *) = nullptr;
    int (*pieceCount)(const PolarSpm *) = nullptr;
    const char *(*piece)(const PolarSpm *, int, int *) = nullptr;
    void (*specialIds)(const PolarSpm *, int *, int *, int *, int *) = nullptr;
    int (*encode)(const PolarSpm *, const char *, size_t, int *, int *, int *, int) = nullptr;
    std::string path; // the file it was loaded from
};

template <typename F>
void resolve(void *handle, const char *name, F &fn, const std::string &path)
{
    fn = reinterpret_cast<F>(::dlsym(handle, name));
    if (!fn)
        throw Error(path + ": tokenizer module lacks symbol '" + name + "'");
}

const SpmModule &spmModule()
{
    static std::once_flag once;
    static SpmModule module;
    static std::string loadError;
    std::call_once(once, [] {
        std::string tried;
        for (const auto &path : tokenizerModuleSearchPath()) {
            if (!fileExists(path)) {
                tried += "\n  " + path + " (absent)";
                continue;
            }
            // A link-map namespace of its own: the module and its protobuf-lite
            // never share a symbol with libtorch's libprotobuf. Unlike
            // RTLD_DEEPBIND, the address sanitizer accepts it.
            void *h = ::dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!h) {
                tried += "\n  " + path + " (" + ::dlerror() + ")";
                continue;
            }
            try {
                resolve(h, "polar_spm_abi_version", module.abiVersion, path);
                if (module.abiVersion() != POLAR_SPM_ABI_VERSION)
                    throw Error(path + ": tokenizer module has a different ABI version");
                resolve(h, "polar_spm_open", module.open, path);
                resolve(h, "polar_spm_close", module.close, path);
                resolve(h, "polar_spm_piece_count", module.pieceCount, path);
                resolve(h, "polar_spm_piece", module.piece, path);
                resolve(h, "polar_spm_special_ids", module.specialIds, path);
                resolve(h, "polar_spm_encode", module.encode, path);
                char resolved[PATH_MAX];
                module.path = ::realpath(path.c_str(), resolved) ? resolved : path;
                return;
            } catch (const Error &e) {
                module = SpmModule{};
                tried += std::string("\n  ") + e.what();
            }
        }
        loadError = "cannot load the sentencepiece tokenizer module libpolar_spm.so; tried:" + tried;
    });
    if (!module.open)
        throw Error(loadError);
    return module;
}

int tokenIdFromConfig(const Json &cfg, const char *key, const std::vector<AddedToken> &added, int fallback)
{
    auto it = cfg.find(key);
    if (it == cfg.end() || it->is_null())
        return fallback;
    std::string content;
    if (it->is_string())
        content = it->get<std::string>();
    else if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        content = (*it)["content"].get<std::string>();
    for (const auto &t : added)
        if (t.content == content)
            return t.id;
    return fallback;
}

} // namespace

std::vector<std::string> tokenizerModuleSearchPath()
{
    std::vector<std::string> paths;
    if (const char *env = std::getenv("POLAR_SPM_MODULE"); env && *env)
        paths.emplace_back(env);
    const std::string exe = executableDirectory();
    if (!exe.empty()) {
        paths.push_back(exe + "/libpolar_spm.so"); // the build tree
#ifdef POLAR_SPM_INSTALL_RELPATH
        paths.push_back(exe + "/" POLAR_SPM_INSTALL_RELPATH); // an installed tree, wherever it was moved
#endif
    }
#ifdef POLAR_SPM_BUILD_PATH
    paths.emplace_back(POLAR_SPM_BUILD_PATH);
#endif
    return paths;
}

std::string tokenizerModulePath()
{
    return spmModule().path;
}

struct Tokenizer::Impl
{
    const SpmModule *module = nullptr;
    PolarSpm *spm = nullptr;
    std::string modelPath;
    std::vector<std::string> pieces;
    std::vector<int> pieceTypes;
    std::vector<AddedToken> added;
    std::set<int> skipped;
    int bos = -1, eos = -1, unk = -1, pad = -1;

    ~Impl()
    {
        if (spm)
            module->close(spm);
    }

    void encodeChunk(const std::string &text, size_t offset, std::vector<TokenSpan> &out) const
    {
        std::vector<int> ids(text.size() + 8), begins(ids.size()), ends(ids.size());
        int n = module->encode(spm, text.data(), text.size(), ids.data(), begins.data(), ends.data(), int(ids.size()));
        if (n > int(ids.size())) {
            ids.resize(size_t(n));
            begins.resize(size_t(n));
            ends.resize(size_t(n));
            n = module->encode(spm, text.data(), text.size(), ids.data(), begins.data(), ends.data(), n);
        }
        if (n < 0)
            throw Error(modelPath + ": sentencepiece failed to encode a text of " + std::to_string(text.size()) + " bytes");
        for (int i = 0; i < n; ++i)
            out.push_back({ids[size_t(i)], offset + size_t(begins[size_t(i)]), offset + size_t(ends[size_t(i)])});
    }
};

Tokenizer::Tokenizer() : d(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;

std::shared_ptr<Tokenizer> Tokenizer::load(const std::string &modelDir)
{
    const std::string modelPath = joinPath(modelDir, "tokenizer.model");
    const std::string configPath = joinPath(modelDir, "tokenizer_config.json");
    if (!fileExists(modelPath))
        throw Error(modelPath + ": missing (the model directory needs its sentencepiece tokenizer.model)");
    if (!fileExists(configPath))
        throw Error(configPath + ": missing (the model directory needs tokenizer_config.json for its added tokens)");

    std::shared_ptr<Tokenizer> tok(new Tokenizer);
    Impl &d = *tok->d;
    d.module = &spmModule();
    d.modelPath = modelPath;
    char err[512] = {0};
    d.spm = d.module->open(modelPath.c_str(), err, sizeof(err));
    if (!d.spm)
        throw Error(modelPath + ": not a sentencepiece model (" + err + ")");

    const int n = d.module->pieceCount(d.spm);
    d.pieces.resize(size_t(n));
    d.pieceTypes.resize(size_t(n));
    for (int i = 0; i < n; ++i)
        d.pieces[size_t(i)] = d.module->piece(d.spm, i, &d.pieceTypes[size_t(i)]);
    d.module->specialIds(d.spm, &d.bos, &d.eos, &d.unk, &d.pad);

    const Json cfg = parseJson(readWholeFile(configPath), configPath);
    if (!cfg.is_object())
        throw Error(configPath + ": expected a JSON object");
    if (auto it = cfg.find("added_tokens_decoder"); it != cfg.end()) {
        if (!it->is_object())
            throw Error(configPath + ": field 'added_tokens_decoder' must be an object");
        for (auto t = it->begin(); t != it->end(); ++t) {
            AddedToken at;
            const std::string &key = t.key();
            if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos)
                throw Error(configPath + ": added_tokens_decoder key '" + key + "' is not a token id");
            at.id = std::stoi(key);
            const std::string where = configPath + ": field 'added_tokens_decoder." + key + "'";
            if (!t->is_object())
                throw Error(where + " must be an object");
            at.content = stringField(*t, "content", where);
            at.special = optionalBool(*t, "special", where, true);
            if (at.content.empty())
                throw Error(configPath + ": added token " + t.key() + " has empty content");
            d.added.push_back(at);
        }
    }
    d.bos = tokenIdFromConfig(cfg, "bos_token", d.added, d.bos);
    d.eos = tokenIdFromConfig(cfg, "eos_token", d.added, d.eos);
    d.unk = tokenIdFromConfig(cfg, "unk_token", d.added, d.unk);
    d.pad = tokenIdFromConfig(cfg, "pad_token", d.added, d.pad);
    if (d.bos < 0)
        throw Error(configPath + ": no BOS token (neither bos_token nor the sentencepiece model declares one)");
    for (const auto &t : d.added)
        d.skipped.insert(t.id);
    for (int id : {d.bos, d.eos, d.unk, d.pad})
        if (id >= 0)
            d.skipped.insert(id);
    return tok;
}

std::vector<int> Tokenizer::encode(const std::string &text, bool addBos) const
{
    std::vector<int> ids;
    for (const auto &t : encodeWithSpans(text, addBos))
        ids.push_back(t.id);
    return ids;
}

std::vector<TokenSpan> Tokenizer::encodeWithSpans(const std::string &text, bool addBos) const
{
    std::vector<TokenSpan> out;
    if (addBos)
        out.push_back({d->bos, 0, 0});
    size_t pos = 0;
    while (pos < text.size()) {
        // Leftmost match of any added token; the longest one on a tie.
        size_t best = std::string::npos, bestLen = 0;
        int bestId = -1;
        for (const auto &t : d->added) {
            const size_t at = text.find(t.content, pos);
            if (at == std::string::npos)
                continue;
            if (at < best || (at == best && t.content.size() > bestLen)) {
                best = at;
                bestLen = t.content.size();
                bestId = t.id;
            }
        }
        const size_t chunkEnd = best == std::string::npos ? text.size() : best;
        if (chunkEnd > pos)
            d->encodeChunk(text.substr(pos, chunkEnd - pos), pos, out);
        if (best == std::string::npos)
            break;
        out.push_back({bestId, best, best + bestLen});
        pos = best + bestLen;
    }
    return out;
}

namespace {

void appendUtf8(std::string &out, uint32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// Appends raw bytes that came from byte pieces, replacing each byte of an
// invalid UTF-8 sequence with U+FFFD, as sentencepiece's decoder does.
void appendBytesAsUtf8(std::string &out, const std::string &bytes)
{
    size_t i = 0;
    while (i < bytes.size()) {
        const auto c = uint8_t(bytes[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= bytes.size();
        for (size_t k = 1; ok && k < len; ++k)
            ok = (uint8_t(bytes[i + k]) & 0xC0) == 0x80;
        if (ok) {
            out.append(bytes, i, len);
            i += len;
        } else {
            appendUtf8(out, 0xFFFD);
            ++i;
        }
    }
}

int bytePieceValue(const std::string &piece)
{
    // "<0xAB>"
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>')
        return -1;
    return int(std::strtol(piece.substr(3, 2).c_str(), nullptr, 16));
}

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581, sentencepiece's visible space

std::string pieceToText(const std::string &piece)
{
    std::string out;
    size_t i = 0;
    while (i < piece.size()) {
        if (piece.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
            out += ' ';
            i += kSpaceMark.size();
        } else {
            out += piece[i++];
        }
    }
    return out;
}

} // namespace

std::string Tokenizer::decode(const std::vector<int> &ids, bool skipSpecial) const
{
    std::string out, pendingBytes;
    for (int id : ids) {
        if (skipSpecial && d->skipped.count(id))
            continue;
        if (isBytePiece(id)) {
            pendingBytes += char(bytePieceValue(d->pieces[size_t(id)]));
            continue;
        }
        appendBytesAsUtf8(out, pendingBytes);
        pendingBytes.clear();
        if (auto added = std::find_if(d->added.begin(), d->added.end(), [id](const AddedToken &t) { return t.id == id; });
            added != d->added.end()) {
            out += added->content;
            continue;
        }
        if (id < 0 || id >= int(d->pieces.size()))
            throw Error(d->modelPath + ": cannot decode token id " + std::to_string(id) + " (vocabulary has "
                        + std::to_string(d->pieces.size()) + " pieces)");
        out += pieceToText(d->pieces[size_t(id)]);
    }
    appendBytesAsUtf8(out, pendingBytes);
    return out;
}

int Tokenizer::vocabSize() const { return int(d->pieces.size()); }
int Tokenizer::bosId() const { return d->bos; }
int Tokenizer::eosId() const { return d->eos; }
int Tokenizer::unkId() const { return d->unk; }
int Tokenizer::padId() const { return d->pad; }
const std::vector<AddedToken> &Tokenizer::addedTokens() const { return d->added; }
bool Tokenizer::isSkippedWhenDecoding(int id) const { return d->skipped.count(id) > 0; }
const std::string &Tokenizer::modelPath() const { return d->modelPath; }

std::optional<int> Tokenizer::addedTokenId(const std::string &content) const
{
    for (const auto &t : d->added)
        if (t.content == content)
            return t.id;
    return std::nullopt;
}

std::string Tokenizer::piece(int id) const
{
    if (id < 0 || id >= int(d->pieces.size()))
        return {};
    return d->pieces[size_t(id)];
}

bool Tokenizer::isBytePiece(int id) const
{
    return id >= 0 && id < int(d->pieceTypes.size()) && d->pieceTypes[size_t(id)] == POLAR_SPM_BYTE;
}

std::string Tokenizer::surface(int id) const
{
    if (isBytePiece(id))
        return std::string(1, char(bytePieceValue(d->pieces[size_t(id)])));
    for (const auto &t : d->added)
        if (t.id == id)
            return t.content;
    return pieceToText(piece(id));
}

} // namespace polar
