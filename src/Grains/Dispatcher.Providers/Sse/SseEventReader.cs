using System.Buffers;

namespace Dispatcher.Providers.Sse;

/// <summary>
/// Reads server-sent events from an upstream body: the <c>data</c> of each event (multi-line data joined with
/// newlines) and its <c>event</c> name. Memory is bounded: an event larger than the limit is reported, not buffered.
/// </summary>
public sealed class SseEventReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxEventBytes;
    private readonly PooledBuffer _data = new(1024);
    private readonly PooledBuffer _eventName = new(64);
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _hasData;

    /// <summary>Reads from <paramref name="stream"/>; events over <paramref name="maxEventBytes"/> are refused.</summary>
    public SseEventReader(Stream stream, int maxEventBytes = 4 * 1024 * 1024)
    {
        _stream = stream;
        _maxEventBytes = maxEventBytes;
        _buffer = BytePool.Rent(16 * 1024);
    }

    /// <summary>The data of the event last returned; valid until the next read.</summary>
    public ReadOnlyMemory<byte> Data => _data.WrittenMemory;

    /// <summary>The <c>event:</c> name of the event last returned (empty when it had none).</summary>
    public ReadOnlySpan<byte> EventName => _eventName.WrittenSpan;

    /// <summary>True when a whole next event (up to its blank line) is already buffered: reading it will not wait.</summary>
    public bool HasBufferedEvent
    {
        get
        {
            var rest = _buffer.AsSpan(_start, _end - _start);
            return rest.IndexOf("\n\n"u8) >= 0 || rest.IndexOf("\n\r\n"u8) >= 0;
        }
    }

    /// <summary>Reads the next event.</summary>
    public async ValueTask<SseReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        _data.Clear();
        _eventName.Clear();
        _hasData = false;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                var fill = await FillAsync(cancellationToken).ConfigureAwait(false);
                if (fill != SseReadStatus.Event)
                {
                    return fill == SseReadStatus.EndOfStream && _hasData ? SseReadStatus.Event : fill;
                }

                continue;
            }

            var lineEnd = newline > _start && _buffer[newline - 1] == (byte)'\r' ? newline - 1 : newline;
            var line = _buffer.AsSpan(_start, lineEnd - _start);
            _start = newline + 1;
            if (line.IsEmpty)
            {
                if (_hasData)
                {
                    return SseReadStatus.Event;
                }

                // A block without data dispatches nothing, and its event name does not carry over.
                _eventName.Clear();
                continue;
            }

            if (!AcceptLine(line))
            {
                return SseReadStatus.TooLarge;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _data.Dispose();
        _eventName.Dispose();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            BytePool.Return(buffer);
        }
    }

    private bool AcceptLine(ReadOnlySpan<byte> line)
    {
        if (line[0] == (byte)':')
        {
            return true;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_data.Length + value.Length + 1 > _maxEventBytes)
            {
                return false;
            }

            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName.Clear();
            _eventName.Write(value[..Math.Min(value.Length, 64)]);
        }

        return true;
    }

    private async ValueTask<SseReadStatus> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxEventBytes)
            {
                return SseReadStatus.TooLarge;
            }

            var bigger = BytePool.Rent(Math.Min(_buffer.Length * 2, _maxEventBytes));
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            BytePool.Return(_buffer);
            _buffer = bigger;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return SseReadStatus.EndOfStream;
        }

        _end += read;
        return SseReadStatus.Event;
    }
}
