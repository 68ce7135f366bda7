// libFuzzer: any bytes as the project journal of a fixed small dataset,
// opened for salvage (every event applied or reported) and for writing. An
// input starting with 'H' is the whole file (header fuzzing); any other is
// the events after the dataset's true header, so mutations reach the replay.
#include "preferences/project.h"
#include "util/error.h"
#include "util/files.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

struct Fixture
{
    std::string dir, header;
};

const Fixture &fixture()
{
    static const Fixture f = [] {
        char tmpl[] = "/tmp/polar-fuzz-journal-XXXXXX";
        const char *d = ::mkdtemp(tmpl);
        if (!d)
            std::abort();
        const std::string dataset = std::string(d) + "/d.jsonl";
        polar::writeFileAtomically(dataset, "{\"id\":1,\"prompt\":\"P\",\"reference\":\"R\",\"outputs\":[\"a\",\"b\",\"c\"]}\n"
                                            "not json\n"
                                            "{\"prompt\":\"Q\",\"reference\":\"S\",\"chosen\":\"x\",\"rejected\":\"y\"}\n");
        polar::PreferenceProject::openForDataset(dataset);
        const std::string journal = polar::readWholeFile(polar::PreferenceProject::defaultProjectPath(dataset));
        return Fixture{d, journal.substr(0, journal.find('\n') + 1)};
    }();
    return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const Fixture &f = fixture();
    const std::string journal = f.dir + "/d.polar-project.jsonl";
    const std::string input(reinterpret_cast<const char *>(data), size);
    polar::writeFileAtomically(journal, !input.empty() && input[0] == 'H' ? input.substr(1) : f.header + input);
    for (auto mode : {polar::PreferenceProject::Mode::Salvage, polar::PreferenceProject::Mode::ReadWrite}) {
        try {
            auto p = polar::PreferenceProject::open(journal, mode);
            for (size_t i = 0; i < p->size(); ++i)
                (void)p->annotatedItem(i);
        } catch (const polar::Error &) {
        }
    }
    return 0;
}
