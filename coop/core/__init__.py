"""What every area uses: database base, permissions, audit log, mail, formatting, errors."""
