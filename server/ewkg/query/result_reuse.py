"""Results reused, whichever executor evaluates them: the result cache and request coalescing.

Both executors — the pool of killable query processes (:class:`ewkg.query.executor.ProcessExecutor`)
and the client of a remote SPARQL store (:class:`ewkg.store.remote.RemoteExecutor`) — answer a
query through :meth:`ResultReuse.answer`: a cached answer is given at once; otherwise clients
sending the same query (text, format, dataset) at the same moment share one evaluation
(:class:`ewkg.query.single_flight.SingleFlight`), whose answer is then cached. An answer given from
the cache or shared with another client says so (``cached``). Without a cache, each query is
evaluated on its own (nothing is kept, so nothing is shared either).

The executor brings what is its own: how to evaluate (bounded by its deadline), and, for a pool
with few slots for long queries, how many clients may wait on a long shared evaluation
(``admit``/``release``, after ``patience`` seconds) and the error for one it turns away.
"""

from __future__ import annotations

from collections.abc import Callable

from ewkg.lru import ResultCache
from ewkg.query.evaluation import QueryBusy, QueryError, QueryRequest, QueryResponse, QueryTimeout
from ewkg.query.single_flight import SharedBusy, SharedTimeout, SingleFlight

CacheKey = tuple[object, ...]


class ResultReuse:
    """The result cache (``None``: none) and the flights of the evaluations in progress."""

    def __init__(self, cache: ResultCache[QueryResponse] | None) -> None:
        self.cache = cache
        self.flights: SingleFlight[CacheKey, QueryResponse] = SingleFlight()
        #: Answers shared with a client that sent the same query while it ran.
        self.coalesced = 0

    def answer(
        self,
        request: QueryRequest,
        key: CacheKey,
        evaluate: Callable[[], QueryResponse],
        *,
        timeout: float,
        deadline: float,
        before: Callable[[], None] | None = None,
        patience: float | None = None,
        admit: Callable[[], bool] | None = None,
        release: Callable[[], None] | None = None,
        busy: Callable[[], QueryError] | None = None,
    ) -> QueryResponse:
        """The answer to ``request``: cached, shared, or ``evaluate()``'s (then cached).

        Args:
            request: the query (its media type marks a reused answer's format).
            key: the request's cache key (text, media type, dataset, data version, cap).
            evaluate: runs the query, bounded by ``deadline``.
            timeout: the request's time limit, in seconds (a waiter whose leader stopped at a
                lower limit of its own evaluates again with what is left of its deadline).
            deadline: when the request must be answered (``time.monotonic()``).
            before: called when the query is not in the cache, before anything runs (the
                executor's own checks: closed, started in this process).
            patience, admit, release: a waiter on a shared evaluation still running after
                ``patience`` seconds asks ``admit()`` for one more long wait and calls
                ``release()`` when done; refused, it raises ``busy()``.

        Raises:
            QueryError: ``evaluate``'s, or a :class:`~ewkg.query.evaluation.QueryTimeout` when the
                deadline passed while waiting for another client's evaluation.
        """
        cache = self.cache
        if cache is not None:
            hit = cache.get(key)
            if hit is not None:
                return hit.from_cache(request.media_type)
        if before is not None:
            before()
        if cache is None:
            return evaluate()

        def evaluate_and_cache() -> QueryResponse:
            response = evaluate()
            cache.put(key, response, size=len(response.body) + len(request.query))
            return response

        def worth_retrying(error: BaseException) -> bool:
            # a busy server may have room now; a timeout only if its limit was lower than ours
            limit = getattr(error, "limit", None)
            return isinstance(error, QueryBusy) or (limit is not None and limit < timeout)

        try:
            response, shared = self.flights.run(
                key,
                evaluate_and_cache,
                deadline=deadline,
                retry_on=(QueryTimeout,),
                retry_if=worth_retrying,
                patience=patience if patience is not None and patience < timeout else None,
                admit=admit,
                release=release,
            )
        except SharedBusy:
            if busy is None:  # pragma: no cover - patience without admission is not offered
                raise QueryBusy("the server is busy with long queries; try again") from None
            raise busy() from None
        except SharedTimeout:
            raise QueryTimeout(
                f"the query was stopped after {timeout:g} s (the time limit) while the same "
                "query, sent by another client, was still running; narrow it and try again"
            ) from None
        self.coalesced += shared
        return response.from_cache(request.media_type) if shared else response
