#!/usr/bin/env bash
# Starts a throwaway Virtuoso 7 (Debian's virtuoso-opensource) for tests and
# benchmarks: its own config and database under DIR, listening on loopback
# only, its SPARQL endpoint at http://127.0.0.1:HTTP_PORT/sparql open to
# SPARQL 1.1 Update (never do this on a shared server).
#
#   .ci/virtuoso.sh start DIR SQL_PORT HTTP_PORT   # returns once /sparql answers
#   .ci/virtuoso.sh stop DIR
#
# DIR holds virtuoso.ini, the database, its log and virtuoso.pid. The
# environment sizes it: VIRTUOSO_BUFFERS (8 KB pages cached, default 170000),
# VIRTUOSO_DIRTY_BUFFERS, VIRTUOSO_MAX_QUERY_TIME (seconds, default 120; past it
# Virtuoso answers in part, which the provider refuses).
set -euo pipefail

cmd=${1:?usage: virtuoso.sh start DIR SQL_PORT HTTP_PORT | stop DIR}
dir=${2:?DIR missing}

case $cmd in
start)
	sqlport=${3:?SQL_PORT missing}
	httpport=${4:?HTTP_PORT missing}
	command -v virtuoso-t >/dev/null || { echo "virtuoso-t not found: run .ci/install-deps.sh" >&2; exit 2; }
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	cat >"$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile    = $dir/virtuoso.db
ErrorLogFile    = $dir/virtuoso.log
LockFile        = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
MaxCheckpointRemap = 2000
Striping        = 0
TempStorage     = TempDatabase
[TempDatabase]
DatabaseFile    = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping        = 0
[Parameters]
ServerPort      = 127.0.0.1:$sqlport
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode        = 2
DirsAllowed     = ., $dir, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = ${VIRTUOSO_BUFFERS:-170000}
MaxDirtyBuffers = ${VIRTUOSO_DIRTY_BUFFERS:-130000}
MaxQueryMem     = 1G
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
[HTTPServer]
ServerPort      = 127.0.0.1:$httpport
ServerRoot      = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads   = 20
MaxKeepAlives   = 20
KeepAliveTimeout = 10
Charset         = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = ${VIRTUOSO_MAX_QUERY_TIME:-120}
MaxQueryCostEstimationTime = 0
DefaultQuery    = select distinct ?Concept where {[] a ?Concept} LIMIT 100
INI
	if curl -fsS -o /dev/null "http://127.0.0.1:$httpport/sparql" 2>/dev/null; then
		echo "port $httpport already answers: another Virtuoso?" >&2; exit 1
	fi
	(cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/stdout.log" 2>&1) &
	echo $! >"$dir/virtuoso.pid"
	for _ in $(seq 1 300); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$httpport/sparql?query=ASK%7B%7D" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
			echo "virtuoso exited; its log:" >&2; tail -20 "$dir/virtuoso.log" "$dir/stdout.log" >&2; exit 1
		fi
		sleep 0.2
	done
	curl -fsS -o /dev/null "http://127.0.0.1:$httpport/sparql?query=ASK%7B%7D" || { echo "virtuoso did not answer on $httpport" >&2; exit 1; }
	# Let the anonymous SPARQL endpoint update, on this loopback-only test server.
	isql-vt "127.0.0.1:$sqlport" dba dba exec="GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >"$dir/grant.log" 2>&1 ||
		{ echo "virtuoso grant failed:" >&2; cat "$dir/grant.log" >&2; exit 1; }
	;;
stop)
	[ -f "$dir/virtuoso.pid" ] || exit 0
	pid=$(cat "$dir/virtuoso.pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/virtuoso.pid"
	;;
*)
	echo "unknown command $cmd" >&2; exit 2
	;;
esac
