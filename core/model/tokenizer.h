#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polar {

// A token and the bytes of the encoded text it covers: [begin, end).
// BOS and other inserted tokens cover nothing (begin == end).
struct TokenSpan
{
    int id = 0;
    size_t begin = 0;
    size_t end = 0;
};

struct AddedToken
{
    int id = 0;
    std::string content;
    bool special = true;
};

// sentencepiece with Hugging Face's added-token rules on top: the text is first
// split on the added tokens of tokenizer_config.json (leftmost-longest), each
// remaining chunk goes through sentencepiece, and BOS is prepended.
class Tokenizer
{
public:
    // Reads DIR/tokenizer.model and DIR/tokenizer_config.json.
    static std::shared_ptr<Tokenizer> load(const std::string &modelDir);
    ~Tokenizer();

    std::vector<int> encode(const std::string &text, bool addBos = true) const;
    std::vector<TokenSpan> encodeWithSpans(const std::string &text, bool addBos = true) const;
    // skipSpecial drops added tokens and BOS/EOS/UNK/PAD, as HF's
    // decode(skip_special_tokens=True) does; byte pieces are fused into UTF-8.
    std::string decode(const std::vector<int> &ids, bool skipSpecial = true) const;

    int vocabSize() const;
    int bosId() const;
    int eosId() const;
    int unkId() const;
    int padId() const;
    std::optional<int> addedTokenId(const std::string &content) const;
    const std::vector<AddedToken> &addedTokens() const;
    bool isSkippedWhenDecoding(int id) const;
    // The raw sentencepiece piece, e.g. "▁the" or "<0xE2>".
    std::string piece(int id) const;
    // The bytes this token stands for in text (byte pieces give one byte).
    std::string surface(int id) const;
    bool isBytePiece(int id) const;
    const std::string &modelPath() const;

private:
    Tokenizer();
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Where the sentencepiece module is looked for; the first existing path wins.
std::vector<std::string> tokenizerModuleSearchPath();
// The module this process loaded (loading it first); throws polar::Error
// naming every path tried when none loads.
std::string tokenizerModulePath();

} // namespace polar
