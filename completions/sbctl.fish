# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sbctl_global_optspecs
    string join \n db= config= secret-store= color= q/quiet v/verbose h/help V/version
end

function __fish_sbctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sbctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sbctl_using_subcommand
    set -l cmd (__fish_sbctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sbctl -n "__fish_sbctl_needs_command" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_needs_command" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_needs_command" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_needs_command" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_needs_command" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_needs_command" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_needs_command" -s V -l version -d 'Print version'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "profiles" -d 'List, show, add, remove, import and export profiles'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "authorize" -d 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "reauth" -d 'Re-authorize a profile in the browser (it must sign in as the same account)'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "refresh" -d 'Renew tokens that are due (for cron), validate those without expiry'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "token" -d 'Print a profile\'s access token on stdout, for other tools to post with'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "check" -d 'List the profiles that need attention (local state; with --online, ask each provider)'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "providers" -d 'List providers and store their client secrets'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "secrets" -d 'Rotate the age key that encrypts the file secret store'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "doctor" -d 'Check the database, the secret store and the providers\' configuration'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "metrics" -d 'Print the fleet\'s state as Prometheus metrics (reads the database only)'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "report" -d 'Write a one-page HTML report: profiles by status and a deadline timeline'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "man" -d 'Print the manual page (roff), or write every command\'s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)'
complete -c sbctl -n "__fish_sbctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "list" -d 'List profiles and their status (reads the database only: no keyring, no network)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "show" -d 'Show everything known about one profile'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "add" -d 'Add a profile: sign in through the browser, or `--with-token` from stdin'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "remove" -d 'Remove a profile and its tokens'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "edit" -d 'Set a profile\'s owner and tags'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "import" -d 'Add many profiles from a JSON array or JSON lines, all or nothing'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "export" -d 'Write all profiles in the import format (JSON lines) to stdout'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show add remove edit import export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l network -d 'Only profiles of this network' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l status -d 'Only profiles with this status' -r -f -a "ok\t''
expiring\t''
refresh_failed\t''
reauth_required\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l owner -d 'Only profiles of this owner' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l tag -d 'Only profiles with this tag, key=value; repeat: with every one of them' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l sort -d 'Order: by id (default), network, status (most urgent first) or deadline (soonest first)' -r -f -a "id\t''
network\t''
status\t''
deadline\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l columns -d 'The table\'s columns, comma-separated [default: id,network,account,status,deadline,expires,last-refresh]' -r -f -a "id\t''
network\t''
account\t''
status\t''
deadline\t'When a person must act: nothing automatic can move it'
expires\t'The access token\'s expiry (renewed automatically where it can be)'
last-refresh\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l needs-reauth -d 'Only profiles that need re-authorization (same as --status reauth_required)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l json -d 'Print JSON instead of a table'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l json -d 'Print JSON instead of text'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l network -d 'The network (facebook, instagram, threads, x, linkedin, youtube, tiktok, pinterest) or a provider from the config file' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l account -d 'The account to connect, by id or name, where one sign-in reaches several (Pages, channels); with --with-token, recorded as the account id' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l owner -d 'Whom to contact about it: an e-mail address' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l tag -d 'A tag, key=value (as client=acme); repeat for more' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l id-template -d 'With --all, each profile\'s id: {network}, {slug} (from the account\'s name) and {account} (its id), made unique with -2, -3...' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l port -d 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l timeout -d 'Give up when the sign-in has not finished after this long' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l with-token -d 'Read the sign-in from stdin: a line of `sbctl authorize`, a raw access token or a JSON token response'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l all -d 'Connect every account the sign-in reaches (Pages, Instagram accounts, channels, organizations), a profile each, all or none'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l dry-run -d 'With --all, list the profiles it would add and add none'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l no-browser -d 'Only print the authorize URL; do not start a browser'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -l device -d 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l revoke -d 'Also revoke the tokens at the network'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l owner -d 'Whom to contact about it: an e-mail address; "" removes the owner' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l tag -d 'Set a tag, key=value (as client=acme); repeat for more' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l untag -d 'Remove a tag; repeat for more' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -l replace -d 'Replace the profiles whose ids exist (each such record must carry its token); still all or nothing'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -l with-secrets -d 'Include the tokens (access and refresh) in the clear'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "list" -d 'List profiles and their status (reads the database only: no keyring, no network)'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show everything known about one profile'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a profile: sign in through the browser, or `--with-token` from stdin'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a profile and its tokens'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Set a profile\'s owner and tags'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "import" -d 'Add many profiles from a JSON array or JSON lines, all or nothing'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write all profiles in the import format (JSON lines) to stdout'
complete -c sbctl -n "__fish_sbctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l account -d 'The account to authorize, by id or name, where one sign-in reaches several' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l to -d 'Seal the line to this age recipient: the server\'s `sbctl secrets recipient`' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l port -d 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l timeout -d 'Give up when the sign-in has not finished after this long' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l no-browser -d 'Only print the authorize URL; do not start a browser'
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -l device -d 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand authorize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l port -d 'Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l timeout -d 'Give up when the sign-in has not finished after this long' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l no-browser -d 'Only print the authorize URL; do not start a browser'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l device -d 'Sign in on any other device instead (RFC 8628): print an address and a code to enter there, and wait until the code expires'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l allow-account-change -d 'Accept a sign-in as a different account than the profile\'s'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l with-token -d 'Read the sign-in from stdin instead of opening a browser: a line of `sbctl authorize`, a raw access token or a JSON token response'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -l only-this -d 'Renew only this profile, not the others the same sign-in reaches (the other Pages of one Facebook user)'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand reauth" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l concurrency -d 'Renewals at once [default: `concurrency` from the config, 8]' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l all -d 'Every profile'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l force -d 'Renew every renewable token, due or not'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l dry-run -d 'Print what would be done, and do nothing'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -l json -d 'Print JSON instead of a summary'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -l min-valid -d 'Renew first when the token expires within this' -r
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l online -d 'Validate every token with its provider (introspection or userinfo)'
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -l json -d 'Print JSON (the profiles needing attention) instead of a table'
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -f -a "list" -d 'List the built-in networks and the providers from the config file'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -f -a "set-secret" -d 'Store a provider\'s client secret, read from stdin (never from the command line)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and not __fish_seen_subcommand_from list set-secret help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -l json -d 'Print JSON instead of a table'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from set-secret" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the built-in networks and the providers from the config file'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "set-secret" -d 'Store a provider\'s client secret, read from stdin (never from the command line)'
complete -c sbctl -n "__fish_sbctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -f -a "rekey" -d 'Rotate the file store\'s age key: every secret is sealed again, under a new data key'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -f -a "recipient" -d 'Print this host\'s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and not __fish_seen_subcommand_from rekey recipient help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -l to -d 'The new age key file (`age-keygen -o KEY`, mode 600); the current key comes from SBCTL_SECRETS_KEY_FILE, SBCTL_SECRETS_KEY or secrets_key_file' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from rekey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from recipient" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "rekey" -d 'Rotate the file store\'s age key: every secret is sealed again, under a new data key'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "recipient" -d 'Print this host\'s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
complete -c sbctl -n "__fish_sbctl_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l output -d 'Write to FILE (replaced atomically, mode 0644) instead of stdout, e.g. /var/lib/prometheus/node-exporter/sbctl.prom' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -l fleet-only -d 'Only the fleet\'s totals, no series per profile (up to nine a profile: a fleet of a million would be millions of series, more than most Prometheus set-ups take)'
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -l html -d 'Write the page to FILE (replaced atomically)' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -l dir -d 'Write sbctl.1 and a page for each command (sbctl-refresh.1, ...) into DIR (e.g. /usr/local/share/man/man1) instead of printing sbctl(1)' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -l db -d 'Profile database [default: <data dir>/sbctl/sbctl.db]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -l config -d 'Config file [default: <config dir>/sbctl/config.toml]' -r -F
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -l secret-store -d 'Where tokens and client secrets are kept [default: auto]' -r -f -a "auto\t'The OS keyring when one answers, else the file store (with a warning)'
keyring\t'The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)'
keyring-items\t'One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred'
file\t'The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)'"
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -l color -d 'When to colour the output (NO_COLOR turns `auto` off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -s v -l verbose -d 'Explain what happens on stderr (repeat for more)'
complete -c sbctl -n "__fish_sbctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "profiles" -d 'List, show, add, remove, import and export profiles'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "authorize" -d 'Sign in where the browser is and print the result as one line, for `reauth --with-token` on a server; keeps nothing here'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "reauth" -d 'Re-authorize a profile in the browser (it must sign in as the same account)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "refresh" -d 'Renew tokens that are due (for cron), validate those without expiry'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "token" -d 'Print a profile\'s access token on stdout, for other tools to post with'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "check" -d 'List the profiles that need attention (local state; with --online, ask each provider)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "providers" -d 'List providers and store their client secrets'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "secrets" -d 'Rotate the age key that encrypts the file secret store'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "doctor" -d 'Check the database, the secret store and the providers\' configuration'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "metrics" -d 'Print the fleet\'s state as Prometheus metrics (reads the database only)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "report" -d 'Write a one-page HTML report: profiles by status and a deadline timeline'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "man" -d 'Print the manual page (roff), or write every command\'s page with --dir (e.g. `sbctl man --dir ~/.local/share/man/man1`)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and not __fish_seen_subcommand_from profiles authorize reauth refresh token check providers secrets doctor metrics report completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "list" -d 'List profiles and their status (reads the database only: no keyring, no network)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "show" -d 'Show everything known about one profile'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "add" -d 'Add a profile: sign in through the browser, or `--with-token` from stdin'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "remove" -d 'Remove a profile and its tokens'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "edit" -d 'Set a profile\'s owner and tags'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "import" -d 'Add many profiles from a JSON array or JSON lines, all or nothing'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "export" -d 'Write all profiles in the import format (JSON lines) to stdout'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "list" -d 'List the built-in networks and the providers from the config file'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "set-secret" -d 'Store a provider\'s client secret, read from stdin (never from the command line)'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "rekey" -d 'Rotate the file store\'s age key: every secret is sealed again, under a new data key'
complete -c sbctl -n "__fish_sbctl_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "recipient" -d 'Print this host\'s age recipient (made on first use), for `sbctl authorize --to` on a machine with a browser'
