# shellcheck shell=bash
# The Kad nodes (being built).
kad_up() { :; }
kad_down() { :; }
kad_status() { :; }
