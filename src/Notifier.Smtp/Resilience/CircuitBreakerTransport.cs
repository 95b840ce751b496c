using Microsoft.Extensions.Logging;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Resilience;

/// <summary>
/// Wraps a transport so that a dead mail server does not cost every email the full connect timeout. After
/// <see cref="CircuitBreakerOptions.FailureThreshold"/> connection failures in a row the circuit opens: for
/// <see cref="CircuitBreakerOptions.CoolDown"/> every send fails at once with the last failure's reason (an
/// <see cref="SmtpCircuitOpenException"/>, "fast-failed"), and sends already waiting inside the wrapped
/// transport (for a pooled connection, or on the same dead server) are abandoned the same way. After the
/// cool-down one send probes the server while the others keep failing fast; its success closes the circuit,
/// its failure starts another cool-down.
/// <para>
/// Only failures of the connection count (<see cref="SmtpProtocolException"/>: refused, unreachable, TLS,
/// no greeting, a timeout, a lost connection). A server that answers "no" (<see cref="SmtpCommandException"/>,
/// including authentication) is up, so it neither counts nor opens the circuit. The decorator sees only
/// exceptions, so it works the same over any <see cref="IMailTransport"/>.
/// </para>
/// </summary>
public sealed class CircuitBreakerTransport : IMailTransport
{
    private readonly IMailTransport _inner;
    private readonly string _server;
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<CancellationTokenSource> _inFlight = [];

    private int _failuresInARow;
    private SmtpException? _lastFailure;
    private DateTimeOffset? _openUntil;
    private bool _probing;
    private long _fastFailed;

    public CircuitBreakerTransport(IMailTransport inner, string server, CircuitBreakerOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CoolDown, TimeSpan.Zero);
        _inner = inner;
        _server = server;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while sends fail fast.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _openUntil is not null;
            }
        }
    }

    /// <summary>Prepares the inner transport; a failure here is not counted: no message was at stake.</summary>
    public Task PrepareAsync(CancellationToken cancellationToken = default) => _inner.PrepareAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        bool probe;
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_lock)
        {
            probe = Admit(out var refusal);
            if (refusal is not null)
            {
                attempt.Dispose();
                throw refusal;
            }

            _inFlight.Add(attempt);
        }

        try
        {
            var result = await _inner.SendAsync(message, attempt.Token);
            Succeeded();
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt.IsCancellationRequested)
        {
            // Abandoned because the circuit opened while this send waited.
            throw FastFail();
        }
        catch (SmtpCommandException)
        {
            // The server answered, if only with "no": it is up.
            Succeeded();
            throw;
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
        {
            CountFailure(e, probe);
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(attempt);
                if (probe)
                {
                    _probing = false;
                }
            }

            attempt.Dispose();
        }
    }

    /// <summary>Lets a send through, as a probe after a cool-down, or refuses it while the circuit is open.</summary>
    private bool Admit(out SmtpCircuitOpenException? refusal)
    {
        refusal = null;
        if (_openUntil is not { } until)
        {
            return false;
        }

        if (_time.GetUtcNow() >= until && !_probing)
        {
            _probing = true;
            return true;
        }

        refusal = FastFailLocked();
        return false;
    }

    private void Succeeded()
    {
        long fastFailed;
        lock (_lock)
        {
            _failuresInARow = 0;
            if (_openUntil is null)
            {
                return;
            }

            _openUntil = null;
            fastFailed = _fastFailed;
            _fastFailed = 0;
        }

        CircuitBreakerLog.Closed(_logger, _server, fastFailed);
    }

    /// <summary>Counts a connection failure; opens the circuit at the threshold (or again after a failed probe).</summary>
    private void CountFailure(Exception failure, bool probe)
    {
        var smtp = failure as SmtpException ?? new SmtpProtocolException(
            $"{_server} could not be reached: {failure.Message}", "check Mail__Host and Mail__Port, and that the server is running", failure);
        List<CancellationTokenSource> abandoned;
        DateTimeOffset retryAt;
        bool opened;
        lock (_lock)
        {
            _failuresInARow++;
            _lastFailure = smtp;
            if (_failuresInARow < _options.FailureThreshold && !probe)
            {
                return;
            }

            if (_openUntil is not null && !probe)
            {
                // Already open (this send started before it opened): nothing new to say.
                return;
            }

            opened = _openUntil is null;
            retryAt = _time.GetUtcNow() + _options.CoolDown;
            _openUntil = retryAt;
            abandoned = [.. _inFlight];
        }

        if (opened)
        {
            CircuitBreakerLog.Opened(_logger, _server, _options.FailureThreshold, smtp.Message, retryAt);
        }
        else
        {
            CircuitBreakerLog.ProbeFailed(_logger, _server, smtp.Message, retryAt);
        }

        foreach (var source in abandoned)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That send finished meanwhile.
            }
        }
    }

    private SmtpCircuitOpenException FastFail()
    {
        lock (_lock)
        {
            return FastFailLocked();
        }
    }

    private SmtpCircuitOpenException FastFailLocked()
    {
        _fastFailed++;
        var retryAt = _openUntil ?? _time.GetUtcNow();
        var reason = _lastFailure?.Message ?? $"{_server} could not be reached";
        return new SmtpCircuitOpenException(
            $"{reason} (fast-failed: {_server} failed {_failuresInARow} times in a row, so it is not tried again until {retryAt:HH:mm:ss} UTC)",
            _lastFailure?.Hint,
            retryAt,
            _lastFailure);
    }

    private static bool IsConnectionFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        SmtpCircuitOpenException => false,
        SmtpProtocolException => true,
        SmtpException => false,
        TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
