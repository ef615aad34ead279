// Tests SharedEnviron and EnvironPool: equal tables are one table, writes copy first, and the pool
// forgets tables nobody uses.
#include "core/shared_environ.h"

#include <gtest/gtest.h>

namespace {

using core::Environ;
using core::EnvironPool;
using core::SharedEnviron;

TEST(SharedEnviron, EmptyByDefaultAndEditableInPlace) {
    SharedEnviron env;
    EXPECT_TRUE(env.get().empty());
    EXPECT_FALSE(env.shared());
    env.edit().push_back("A=1");
    EXPECT_EQ(env.get(), (Environ{"A=1"}));
}

TEST(EnvironPool, EqualTablesAreOneTable) {
    EnvironPool pool;
    SharedEnviron a = pool.intern({"PATH=/bin", "HOME=/root"});
    SharedEnviron b = pool.intern({"PATH=/bin", "HOME=/root"});
    SharedEnviron c = pool.intern({"PATH=/bin", "HOME=/home/c"});
    EXPECT_EQ(&a.get(), &b.get());
    EXPECT_NE(&a.get(), &c.get());
    EXPECT_TRUE(a.shared());
    EXPECT_FALSE(c.shared());
    EXPECT_EQ(pool.live(), 2u);
}

TEST(EnvironPool, OrderMattersAsItDoesInATable) {
    EnvironPool pool;
    SharedEnviron a = pool.intern({"A=1", "B=2"});
    SharedEnviron b = pool.intern({"B=2", "A=1"});
    EXPECT_NE(&a.get(), &b.get());
}

TEST(EnvironPool, WritingASharedTableCopiesItFirst) {
    EnvironPool pool;
    SharedEnviron a = pool.intern({"PATH=/bin"});
    SharedEnviron b = pool.intern({"PATH=/bin"});
    a.edit().push_back("LOCAL=1");
    EXPECT_EQ(a.get(), (Environ{"PATH=/bin", "LOCAL=1"}));
    EXPECT_EQ(b.get(), (Environ{"PATH=/bin"}));
    EXPECT_FALSE(a.shared());
    EXPECT_FALSE(b.shared());
}

TEST(EnvironPool, ATableEditedAfterInterningIsNotHandedOutForItsOldContent) {
    EnvironPool pool;
    SharedEnviron a = pool.intern({"PATH=/bin"});
    a.edit().push_back("LOCAL=1"); // sole owner: edited in place
    SharedEnviron b = pool.intern({"PATH=/bin"});
    EXPECT_EQ(b.get(), (Environ{"PATH=/bin"}));
    EXPECT_EQ(a.get(), (Environ{"PATH=/bin", "LOCAL=1"}));
}

TEST(EnvironPool, TablesNobodyHoldsAreForgotten) {
    EnvironPool pool;
    {
        SharedEnviron gone = pool.intern({"A=1"});
        EXPECT_EQ(pool.live(), 1u);
    }
    EXPECT_EQ(pool.live(), 0u);
    std::vector<SharedEnviron> held;
    for (int i = 0; i < 1000; ++i) {
        SharedEnviron passing = pool.intern({"N=" + std::to_string(i)});
        if (i % 100 == 0) {
            held.push_back(passing);
        }
    }
    EXPECT_EQ(pool.live(), 10u);
    EXPECT_EQ(pool.intern({"N=500"}).get(), (Environ{"N=500"}));
}

TEST(EnvironPool, AnEmptyTableNeedsNoStorage) {
    EnvironPool pool;
    SharedEnviron none = pool.intern({});
    EXPECT_TRUE(none.get().empty());
    EXPECT_EQ(pool.live(), 0u);
}

} // namespace
