create schema if not exists app;
