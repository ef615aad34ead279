// Tests BoxedVector: one pointer, nothing allocated while empty, std::vector's meaning.
#include "base/boxed_vector.h"

#include <gtest/gtest.h>
#include <string>

namespace {

using base::BoxedVector;
using Strings = std::vector<std::string>;

TEST(BoxedVector, IsOnePointerAndEmptyByDefault) {
    static_assert(sizeof(BoxedVector<std::string>) == sizeof(void*));
    BoxedVector<std::string> v;
    EXPECT_TRUE(v.empty());
    EXPECT_EQ(v.size(), 0u);
    EXPECT_EQ(v.begin(), v.end());
    EXPECT_TRUE(v.get().empty());
}

TEST(BoxedVector, EditCreatesTheVectorAndReadsSeeIt) {
    BoxedVector<std::string> v;
    v.edit().push_back("a");
    v.edit().push_back("b");
    EXPECT_EQ(v.size(), 2u);
    EXPECT_EQ(v.front(), "a");
    EXPECT_EQ(v.back(), "b");
    EXPECT_EQ(v[1], "b");
    EXPECT_EQ(v.at(0), "a");
    EXPECT_THROW((void)v.at(2), std::out_of_range);
    EXPECT_EQ(v, (Strings{"a", "b"}));
    Strings seen(v.begin(), v.end());
    EXPECT_EQ(seen, (Strings{"a", "b"}));
}

TEST(BoxedVector, CopiesAreDeepAndMovesLeaveTheSourceEmpty) {
    BoxedVector<std::string> a = Strings{"x"};
    BoxedVector<std::string> b = a;
    a.edit().push_back("y");
    EXPECT_EQ(b, (Strings{"x"}));
    EXPECT_EQ(a, (Strings{"x", "y"}));
    BoxedVector<std::string> c = std::move(a);
    EXPECT_EQ(c, (Strings{"x", "y"}));
    EXPECT_TRUE(a.empty()); // NOLINT(bugprone-use-after-move): a moved-from BoxedVector is empty
    const BoxedVector<std::string>& same = b;
    b = same;
    EXPECT_EQ(b, (Strings{"x"}));
}

TEST(BoxedVector, AnEmptiedVectorEqualsANeverFilledOne) {
    BoxedVector<int> filled = {1, 2};
    filled.edit().clear();
    EXPECT_EQ(filled, BoxedVector<int>());
    EXPECT_TRUE(filled.empty());
    BoxedVector<int> none = std::vector<int>{};
    EXPECT_TRUE(none.empty());
}

TEST(BoxedVector, ReadsAsAConstStdVector) {
    BoxedVector<int> v = {3, 4};
    const std::vector<int>& plain = v;
    EXPECT_EQ(plain, (std::vector<int>{3, 4}));
}

} // namespace
