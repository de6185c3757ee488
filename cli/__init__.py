"""The tracker command line: parses options, calls the library, prints."""
