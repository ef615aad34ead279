# bash completion for startctl and its Upstart names (initctl, start, stop, restart, reload,
# status): commands, options, option values, and job names asked of the running startd
# (`startctl list`, through the same instance options as the command line being completed), or,
# for enable/disable/is-enabled given --root or --jobs-dir, read from that jobs directory.
# Installed as share/bash-completion/completions/startctl (and under the Upstart names).
# Self-contained: it needs bash alone, not the bash-completion package's helpers.

# The command lists are startctl's command table (src/cli/commands.cpp); a unit test compares them.
_startctl_commands="start stop restart reload status list show why show-config graph plot check-config
reload-configuration reexec version log-priority log monitor emit usage list-env get-env set-env unset-env reset-env
enable disable is-enabled instance"
_startctl_job_commands="start stop restart reload status show why show-config usage log enable disable is-enabled" # JOB first
_startctl_file_commands="enable disable is-enabled"                         # on the job files
_startctl_variable_commands="get-env unset-env"                             # VAR comes first
_startctl_programs="start stop restart reload status"                       # names startctl runs as
_startctl_options="-c --config --socket --user --session --system -n --no-wait --json -q --quiet -g --global
-r --retain -e --enumerate --root --jobs-dir --now --svg --since --lines -f --follow --reopen -h --help --version -i --instance"
# After `instance` (src/cli/instance_commands.cpp): its subcommands and options (-g is a group there).
_startctl_instance_subcommands="start stop status reload check list init create destroy enable disable assign"
_startctl_instance_options="-c --config --user --session --system --json -q --quiet -h --help -i --instance -g
--group -I --new-name -G --new-group -n --no-wait"

# Runs the command being completed with the instance options typed so far, then ARGS; bounded so a
# stuck daemon cannot hang the shell.
_startctl_query() {
    local prog=$1
    shift
    local -a cmd=("$prog" "${_startctl_instance[@]}" "$@")
    if command -v timeout >/dev/null 2>&1; then
        timeout 2 "${cmd[@]}" 2>/dev/null
    else
        "${cmd[@]}" 2>/dev/null
    fi
}

_startctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]}
    local name=${prog##*/}
    COMPREPLY=()

    case $prev in
    -i | --instance | --group | -g)
        # Names (column 1) or groups (column 2) of `startctl instance list`; -g is a group only
        # after `instance` (before it, --global).
        local column=1
        [[ $prev == -g || $prev == --group ]] && column=2
        if [[ $column == 1 || " ${COMP_WORDS[*]:0:COMP_CWORD} " == *" instance "* ]]; then
            local -a _startctl_instance=()
            mapfile -t COMPREPLY < <(compgen -W "$(_startctl_query "$prog" instance list |
                awk -v c="$column" 'NR > 1 && $c != "-" { print $c }' | sort -u)" -- "$cur")
            return
        fi
        ;;
    -c | --config | --root | --jobs-dir)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
        ;;
    --socket)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    esac
    if [[ $cur == --config=* || $cur == --socket=* || $cur == --root=* || $cur == --jobs-dir=* ]]; then
        local opt=${cur%%=*} value=${cur#*=} kind=-d
        [[ $opt == --socket ]] && kind=-f
        mapfile -t COMPREPLY < <(compgen "$kind" -- "$value" | sed "s|^|$opt=|")
        return
    fi

    # The command (from the program's name or the first word that is not an option), how many
    # arguments it has so far, and the options that pick the instance to ask for job names.
    local cmd_name="" args=0 i word skip=0 ended=0 jobs_dir=""
    local -a _startctl_instance=() # seen by _startctl_query (bash's dynamic scope)
    [[ " $_startctl_programs " == *" $name "* ]] && cmd_name=$name
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if ((skip)); then
            skip=0
            continue
        fi
        if ((!ended)) && [[ $word == -* ]]; then
            case $word in
            --) ended=1 ;;
            -c | --config | --socket | -i | --instance)
                _startctl_instance+=("$word" "${COMP_WORDS[i + 1]}")
                skip=1
                ;;
            -I | --new-name | -G | --new-group | --group) skip=1 ;;
            -g) [[ $cmd_name == instance ]] && skip=1 ;;
            --root) # the completion assumes the default system jobs dir, /etc/init
                jobs_dir=${COMP_WORDS[i + 1]}/etc/init
                skip=1
                ;;
            --jobs-dir)
                jobs_dir=${COMP_WORDS[i + 1]}
                skip=1
                ;;
            --lines) skip=1 ;;
            -n) [[ $cmd_name == log ]] && skip=1 ;; # log -n N; elsewhere -n is --no-wait
            --root=*) jobs_dir=${word#*=}/etc/init ;;
            --jobs-dir=*) jobs_dir=${word#*=} ;;
            --config=* | --socket=* | -c?* | --user | --session | --system) _startctl_instance+=("$word") ;;
            esac
            continue
        fi
        if [[ -z $cmd_name ]]; then
            cmd_name=$word
        else
            args=$((args + 1))
        fi
    done

    if [[ $cur == -* ]] && ((!ended)); then
        local options=$_startctl_options
        [[ $cmd_name == instance ]] && options=$_startctl_instance_options
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return
    fi
    if [[ -z $cmd_name ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_startctl_commands" -- "$cur")
        return
    fi
    if [[ " $_startctl_job_commands " == *" $cmd_name "* ]]; then
        if ((args == 0)); then
            local jobs
            if [[ -n $jobs_dir && " $_startctl_file_commands " == *" $cmd_name "* ]]; then
                # The job files themselves: net/apache for JOBS/net/apache.conf.
                jobs=$(cd "$jobs_dir" 2>/dev/null && find . -name '*.conf' \( -type f -o -type l \) 2>/dev/null |
                    sed 's|^\./||; s|\.conf$||' | sort -u)
            else
                # "web start/running, process 1", "getty (tty1) start/running, …": the first word
                # of each status line (lines that begin with a tab list other processes).
                jobs=$(_startctl_query "$prog" list | awk '/^[^\t ]/ { print $1 }' | sort -u)
            fi
            mapfile -t COMPREPLY < <(compgen -W "$jobs" -- "$cur")
        fi
    elif [[ $cmd_name == instance ]]; then
        if ((args == 0)); then
            mapfile -t COMPREPLY < <(compgen -W "$_startctl_instance_subcommands" -- "$cur")
        fi
    elif [[ $cmd_name == log-priority ]]; then
        if ((args == 0)); then
            mapfile -t COMPREPLY < <(compgen -W "debug info message warn error fatal" -- "$cur")
        fi
    elif [[ " $_startctl_variable_commands " == *" $cmd_name "* ]]; then
        local vars
        vars=$(_startctl_query "$prog" list-env | sed 's/=.*//')
        mapfile -t COMPREPLY < <(compgen -W "$vars" -- "$cur")
    fi
}

# startctl always; the Upstart names only where they are startctl (an admin's opt-in), so another
# init's initctl or start keeps its own completion.
complete -F _startctl startctl
_startctl_register_upstart_names() {
    local alias target startctl
    startctl=$(type -P startctl) || return 0
    startctl=$(readlink -f "$startctl")
    for alias in initctl $_startctl_programs; do
        target=$(type -P "$alias") || continue
        [[ $(readlink -f "$target") == "$startctl" ]] && complete -F _startctl "$alias"
    done
    return 0
}
_startctl_register_upstart_names
unset -f _startctl_register_upstart_names
