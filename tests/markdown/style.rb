# The Markdown linter's rules for dnsblame's --format markdown (Debian's
# ruby-mdl): every rule, except line length. A generated report does not
# hard-wrap: a table row cannot be wrapped, and wrapped prose renders the
# same as one line.
all
exclude_rule 'MD013'
