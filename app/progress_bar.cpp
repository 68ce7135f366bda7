#include "progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace polar::cli {

ProgressBar::ProgressBar(std::string label, size_t total)
    : m_label(std::move(label)), m_total(total), m_enabled(::isatty(STDERR_FILENO) == 1),
      m_start(std::chrono::steady_clock::now()), m_lastDraw(m_start - std::chrono::seconds(1))
{
}

ProgressBar::~ProgressBar()
{
    finish();
}

void ProgressBar::update(size_t done)
{
    if (!m_enabled || m_total == 0)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (done < m_total && now - m_lastDraw < std::chrono::milliseconds(100))
        return;
    m_lastDraw = now;
    const double secs = std::chrono::duration<double>(now - m_start).count();
    const double rate = secs > 0 ? double(done) / secs : 0.0;
    const double eta = rate > 0 ? double(m_total - done) / rate : 0.0;
    const int width = 30;
    const int filled = int(double(width) * double(done) / double(m_total));
    std::string bar(size_t(filled), '#');
    bar.resize(size_t(width), '.');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu  %.2f/s  ETA %.0fs  %s ", m_label.c_str(), bar.c_str(), done, m_total, rate, eta,
                 m_detail.c_str());
    std::fflush(stderr);
}

void ProgressBar::finish()
{
    if (m_enabled && !m_finished && m_total > 0) {
        std::fprintf(stderr, "\n");
        m_finished = true;
    }
}

void ProgressBar::clearLine()
{
    if (m_enabled && !m_finished) {
        std::fprintf(stderr, "\r\033[K");
        m_lastDraw = m_start - std::chrono::seconds(1);
    }
}

} // namespace polar::cli
