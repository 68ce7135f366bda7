// Test helper for test_preference_project: saves decisions one after another,
// saying after each that it is saved, until it is killed.
#include "preferences/project.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    auto project = polar::PreferenceProject::open(argv[1]);
    for (int k = 1;; ++k) {
        polar::Annotation a;
        a.decided = true;
        a.ranks.assign(project->candidates(size_t((k - 1) % 3)).size(), 1);
        a.note = std::to_string(k);
        a.annotator = "child";
        project->setAnnotation(size_t((k - 1) % 3), a);
        std::printf("saved %d\n", k);
        std::fflush(stdout);
    }
}
