"""`watch` (develop.watch): which files each rule follows (rules.py), how changes are
seen (scanner.py), and how a batch of them reaches the instances (sync.py); the
command's loop is composer/cli/commands/watch.py."""
