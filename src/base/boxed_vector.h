// Owns BoxedVector<T>: a std::vector held behind one pointer, with no allocation while empty.
// For lists that are stored by the thousand and are usually empty (a job's `emits`, `limit`,
// `cgroup` stanzas): 8 bytes where a std::vector takes 24. Reads see a const std::vector;
// writes go through edit(), which creates the vector on first use.
// Not here: small-buffer storage (a boxed list with elements costs one more allocation than a
// plain vector, which is the right trade only for lists that are mostly empty).
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

namespace base {

template <typename T> class BoxedVector {
  public:
    using value_type = T;
    using const_iterator = typename std::vector<T>::const_iterator;
    using iterator = const_iterator; // reading only: writes go through edit()
    using size_type = typename std::vector<T>::size_type;

    BoxedVector() noexcept = default;
    BoxedVector(std::vector<T> items) { // NOLINT(google-explicit-constructor)
        if (!items.empty()) {
            m_items = std::make_unique<std::vector<T>>(std::move(items));
        }
    }
    BoxedVector(std::initializer_list<T> items) : BoxedVector(std::vector<T>(items)) {}
    BoxedVector(const BoxedVector& other) : BoxedVector(other.get()) {}
    BoxedVector(BoxedVector&&) noexcept = default;
    BoxedVector& operator=(const BoxedVector& other) {
        if (this != &other) {
            *this = BoxedVector(other);
        }
        return *this;
    }
    BoxedVector& operator=(BoxedVector&&) noexcept = default;
    ~BoxedVector() = default;

    const std::vector<T>& get() const { return m_items ? *m_items : empty_vector(); }
    operator const std::vector<T>&() const { return get(); } // NOLINT(google-explicit-constructor)
    // The vector to change, created empty on first use.
    std::vector<T>& edit() {
        if (!m_items) {
            m_items = std::make_unique<std::vector<T>>();
        }
        return *m_items;
    }

    bool empty() const noexcept { return !m_items || m_items->empty(); }
    size_type size() const noexcept { return m_items ? m_items->size() : 0; }
    const_iterator begin() const { return get().begin(); }
    const_iterator end() const { return get().end(); }
    const T& front() const { return get().front(); }
    const T& back() const { return get().back(); }
    const T& operator[](size_type i) const { return get()[i]; }
    const T& at(size_type i) const { return get().at(i); }

    friend bool operator==(const BoxedVector& a, const BoxedVector& b) { return a.get() == b.get(); }
    friend bool operator==(const BoxedVector& a, const std::vector<T>& b) { return a.get() == b; }

  private:
    static const std::vector<T>& empty_vector() {
        static const std::vector<T> none;
        return none;
    }

    std::unique_ptr<std::vector<T>> m_items; // null while empty
};

} // namespace base
