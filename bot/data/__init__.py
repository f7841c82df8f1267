"""Market data providers (Yahoo Finance, CSV folders) behind one small interface."""
