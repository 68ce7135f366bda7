#include "model/shapes.h"

#include "model/tokenizer.h"
#include "util/error.h"

namespace polar {

std::vector<std::string> shapeNames()
{
    return {"demo", "cpu", "1.8b", "7b"};
}

ModelConfig namedShape(const std::string &name, const Tokenizer &tokenizer)
{
    ModelConfig c;
    c.architecture = "InternLM2ForRewardModel";
    c.modelType = "internlm2";
    c.vocabSize = tokenizer.vocabSize();
    c.maxPositionEmbeddings = 32768;
    c.rmsNormEps = 1e-5;
    c.ropeTheta = 1e6;
    c.torchDtype = "bfloat16";
    const auto reward = tokenizer.encode("[UNUSED_TOKEN_130]", false);
    if (reward.size() != 1)
        throw Error(tokenizer.modelPath() + ": has no [UNUSED_TOKEN_130] piece for the reward token");
    c.rewardTokenId = reward[0];
    c.padTokenId = tokenizer.eosId() >= 0 ? tokenizer.eosId() : tokenizer.padId();
    if (name == "demo") { // the embedded demo model, trained by scripts/train-demo-model.sh
        c.hiddenSize = 96, c.numLayers = 4, c.numHeads = 4, c.numKvHeads = 2, c.intermediateSize = 256;
        c.maxPositionEmbeddings = 4096;
        c.torchDtype = "float32";
    } else if (name == "cpu") {
        c.hiddenSize = 512, c.numLayers = 8, c.numHeads = 8, c.numKvHeads = 4, c.intermediateSize = 1408;
    } else if (name == "1.8b") {
        c.hiddenSize = 2048, c.numLayers = 24, c.numHeads = 16, c.numKvHeads = 8, c.intermediateSize = 8192;
    } else if (name == "7b") {
        c.hiddenSize = 4096, c.numLayers = 32, c.numHeads = 32, c.numKvHeads = 8, c.intermediateSize = 14336;
    } else {
        throw Error("'" + name + "' is not a model shape (demo, cpu, 1.8b, 7b)");
    }
    return c;
}

} // namespace polar
