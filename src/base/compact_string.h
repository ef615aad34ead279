// Owns CompactString: an immutable string in one pointer, for text that is stored by the
// thousand and rarely changes (job-file stanzas: paths, commands, descriptions, user names).
// Empty costs 8 bytes and no allocation (a std::string costs 32 even when empty); text costs one
// allocation of its length plus 5 bytes. Reads go through std::string_view.
// Not here: anything that edits text in place (build a std::string, then assign it).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace base {

class CompactString {
  public:
    CompactString() noexcept = default;
    CompactString(std::string_view text) { assign(text); }   // NOLINT(google-explicit-constructor)
    CompactString(const std::string& text) { assign(text); } // NOLINT(google-explicit-constructor)
    CompactString(const char* text) { assign(text); }        // NOLINT(google-explicit-constructor)
    CompactString(const CompactString& other) { assign(other.view()); }
    CompactString(CompactString&& other) noexcept = default;
    CompactString& operator=(const CompactString& other) {
        if (this != &other) {
            assign(other.view());
        }
        return *this;
    }
    CompactString& operator=(CompactString&& other) noexcept = default;
    CompactString& operator=(std::string_view text) {
        assign(text);
        return *this;
    }
    CompactString& operator=(const std::string& text) { return *this = std::string_view(text); }
    CompactString& operator=(const char* text) { return *this = std::string_view(text); }
    ~CompactString() = default;

    bool empty() const noexcept { return !m_data; }
    std::size_t size() const noexcept {
        std::uint32_t n = 0;
        if (m_data) {
            std::memcpy(&n, m_data.get(), sizeof n);
        }
        return n;
    }
    // Always NUL-terminated ("" when empty).
    const char* c_str() const noexcept { return m_data ? m_data.get() + sizeof(std::uint32_t) : ""; }
    const char* data() const noexcept { return c_str(); }
    std::string_view view() const noexcept { return {c_str(), size()}; }
    operator std::string_view() const noexcept { return view(); } // NOLINT(google-explicit-constructor)
    std::string str() const { return std::string(view()); }
    void clear() noexcept { m_data.reset(); }

    friend bool operator==(const CompactString& a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(const CompactString& a, const CompactString& b) noexcept {
        return a.view() == b.view();
    }
    friend bool operator==(const CompactString& a, const char* b) noexcept { return a.view() == b; }
    friend bool operator==(const CompactString& a, const std::string& b) noexcept { return a.view() == b; }
    friend auto operator<=>(const CompactString& a, const CompactString& b) noexcept {
        return a.view() <=> b.view();
    }
    friend std::ostream& operator<<(std::ostream& out, const CompactString& s) { return out << s.view(); }
    friend std::string operator+(const CompactString& a, std::string_view b) { return a.str().append(b); }
    friend std::string operator+(std::string a, const CompactString& b) { return a.append(b.view()); }
    friend std::string operator+(const char* a, const CompactString& b) {
        return std::string(a).append(b.view());
    }

  private:
    void assign(std::string_view text) {
        if (text.empty()) {
            m_data.reset();
            return;
        }
        if (text.size() > UINT32_MAX - sizeof(std::uint32_t) - 1) {
            throw std::length_error("CompactString: text longer than 4 GiB");
        }
        auto n = static_cast<std::uint32_t>(text.size());
        std::unique_ptr<char[]> data(new char[sizeof n + text.size() + 1]);
        std::memcpy(data.get(), &n, sizeof n);
        std::memcpy(data.get() + sizeof n, text.data(), text.size());
        data[sizeof n + text.size()] = '\0';
        m_data = std::move(data);
    }

    std::unique_ptr<char[]> m_data; // [uint32 size][bytes]['\0'], or null for ""
};

} // namespace base
