#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace polar::cli {

// A one-line progress bar on stderr (items/s, ETA); silent when stderr is not a terminal.
class ProgressBar
{
public:
    ProgressBar(std::string label, size_t total);
    ~ProgressBar();
    void update(size_t done);
    void setTotal(size_t total) { m_total = total; }
    // Text shown after the rate and ETA (loss, accuracy, ...).
    void setDetail(std::string detail) { m_detail = std::move(detail); }
    void finish();
    // Clears the bar's line so that a message can take it; the next update draws the bar again.
    void clearLine();

private:
    std::string m_label, m_detail;
    size_t m_total;
    bool m_enabled;
    bool m_finished = false;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
};

} // namespace polar::cli
