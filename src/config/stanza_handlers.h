// Owns the declarations of the stanza handlers defined outside stanzas.cpp. Internal to src/config.
#pragma once

#include "config/stanzas.h"

namespace config::stanza_handlers {

// stanzas_lifecycle.cpp
ParseResult<void> stanza_exec(StanzaContext& ctx);
ParseResult<void> stanza_script(StanzaContext& ctx);
ParseResult<void> stanza_pre_start(StanzaContext& ctx);
ParseResult<void> stanza_post_start(StanzaContext& ctx);
ParseResult<void> stanza_pre_stop(StanzaContext& ctx);
ParseResult<void> stanza_post_stop(StanzaContext& ctx);
ParseResult<void> stanza_respawn(StanzaContext& ctx);
ParseResult<void> stanza_normal(StanzaContext& ctx);
ParseResult<void> stanza_expect(StanzaContext& ctx);
ParseResult<void> stanza_kill(StanzaContext& ctx);
ParseResult<void> stanza_reload(StanzaContext& ctx);

// stanzas_environment.cpp
ParseResult<void> stanza_env(StanzaContext& ctx);
ParseResult<void> stanza_console(StanzaContext& ctx);
ParseResult<void> stanza_umask(StanzaContext& ctx);
ParseResult<void> stanza_nice(StanzaContext& ctx);
ParseResult<void> stanza_oom(StanzaContext& ctx);
ParseResult<void> stanza_limit(StanzaContext& ctx);
ParseResult<void> stanza_apparmor(StanzaContext& ctx);
ParseResult<void> stanza_cgroup(StanzaContext& ctx);

// stanzas_timer.cpp
ParseResult<void> stanza_timer(StanzaContext& ctx);

} // namespace config::stanza_handlers
