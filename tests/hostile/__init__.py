"""The hostile corpus: files and argument lists an attacker or an unlucky user would try."""
