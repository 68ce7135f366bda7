#pragma once

#include <stdexcept>
#include <string>

namespace polar {

// The one exception type core throws. The message names the file and the
// field (or tensor, or line) that is wrong, so a boundary can print it as is.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Thrown by long operations when the caller's cancel flag was raised.
class Cancelled : public Error
{
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace polar
