"""What each command asks of the library: plain values in, typed records out."""
