"""The portfolio register: portfolios, programs and projects."""
