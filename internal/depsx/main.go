package main

import (
	_ "github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/kardianos/service"
	_ "modernc.org/sqlite"
)

func main() {}
