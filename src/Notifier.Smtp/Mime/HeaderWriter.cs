using System.Buffers.Text;
using System.Text;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Mime;

/// <summary>
/// Writes header fields with folding: every physical line stays within 78 characters (a single address or
/// message id that is longer than that stands alone on its line, still far below 998), folds only happen in
/// front of existing whitespace (so unfolding restores the text exactly) or between encoded words, and text
/// that is not plain printable ASCII becomes RFC 2047 encoded words. Values must have passed
/// <see cref="HeaderText.CheckValue"/>.
/// </summary>
internal ref struct HeaderWriter
{
    /// <summary>RFC 5322's recommended line limit.</summary>
    public const int MaxLineLength = 78;

    /// <summary>RFC 2047's limit for one encoded word.</summary>
    private const int MaxEncodedWordLength = 75;

    /// <summary>"=?utf-8?b?" plus "?=".</summary>
    private const int EncodedWordOverhead = 12;

    /// <summary>Below this much room an encoded word goes to the next line rather than carry a sliver of text.</summary>
    private const int MinEncodedWordLength = EncodedWordOverhead + 12;

    /// <summary>The output; owned here (a ref struct cannot hold a reference to another) and used for the body after the headers.</summary>
    public MimeSink Sink;
    private int _column;
    private bool _lineHasText;

    /// <summary>
    /// True until the first token of a field is written: a fold right after the colon is legal, but parsers
    /// (Python's email package among them) then keep the folding whitespace as part of the value.
    /// </summary>
    private bool _atFieldStart;

    public HeaderWriter(MimeSink sink)
    {
        Sink = sink;
    }

    public void Begin(string name)
    {
        Sink.WriteText(name);
        Sink.Write((byte)':');
        _column = name.Length + 1;
        _lineHasText = true;
        _atFieldStart = true;
    }

    public void End()
    {
        Sink.WriteCrlf();
        _column = 0;
        _lineHasText = false;
    }

    /// <summary>Writes a whole header whose value is already a single ASCII token (dates, versions).</summary>
    public void WriteSimple(string name, scoped ReadOnlySpan<char> value)
    {
        Begin(name);
        Token(value);
        End();
    }

    /// <summary>
    /// Starts a token of <paramref name="length"/> octets preceded by one space, folding first when it would not
    /// fit; the caller then writes exactly that many octets with <see cref="Raw(ReadOnlySpan{char})"/>.
    /// </summary>
    public void BeginToken(int length)
    {
        if (_lineHasText && !_atFieldStart && _column + 1 + length > MaxLineLength)
        {
            Fold();
        }

        Sink.Write((byte)' ');
        _column += 1 + length;
        _lineHasText = true;
        _atFieldStart = false;
    }

    public void Raw(scoped ReadOnlySpan<char> text) => Sink.WriteText(text);

    public void Raw(char c) => Sink.Write((byte)c);

    /// <summary>A space and an ASCII token (or UTF-8 for internationalised addresses).</summary>
    public void Token(scoped ReadOnlySpan<char> text, int trailing = 0)
    {
        BeginToken(Utf8Length(text) + trailing);
        _column -= trailing;
        Sink.WriteText(text);
    }

    /// <summary>Text glued to the previous token (a comma after a mailbox).</summary>
    public void Append(char c)
    {
        Sink.Write((byte)c);
        _column++;
    }

    /// <summary>
    /// Unstructured text (Subject, extra headers): plain words where they are printable ASCII, runs of words that
    /// are not become encoded words. Long words are encoded too (so they can be split) unless
    /// <paramref name="keepLongWords"/> says they are identifiers (References, In-Reply-To) that must stay intact.
    /// </summary>
    public void Unstructured(scoped ReadOnlySpan<char> value, bool keepLongWords)
    {
        if (value.IsEmpty)
        {
            return;
        }

        // Parsers strip leading and trailing whitespace and may squeeze runs of it; encoded words keep them exactly.
        if (value[0] == ' ' || value[^1] == ' ' || value.Contains("  ", StringComparison.Ordinal))
        {
            EncodedWords(value);
            return;
        }

        var start = 0;
        while (start < value.Length)
        {
            var end = WordEnd(value, start);

            // The first word shares its line with the field name; later ones may start a folded line.
            var room = start == 0 ? MaxLineLength - _column - 1 : MaxLineLength - 1;
            if (!NeedsEncoding(value[start..end], keepLongWords, room))
            {
                Token(value[start..end]);
                start = end + 1;
                continue;
            }

            // Encode this word and every following word that needs it as one run, spaces included: whitespace
            // between adjacent encoded words is dropped by decoders.
            var runEnd = end;
            while (runEnd < value.Length)
            {
                var nextEnd = WordEnd(value, runEnd + 1);
                if (!NeedsEncoding(value[(runEnd + 1)..nextEnd], keepLongWords, MaxLineLength - 1))
                {
                    break;
                }

                runEnd = nextEnd;
            }

            EncodedWords(value[start..runEnd]);
            start = runEnd + 1;
        }
    }

    /// <summary>
    /// <c>Display Name &lt;address&gt;</c>, or the bare address. Display names are atoms when they can be, a
    /// quoted string when they hold specials, encoded words when they hold non-ASCII text or very long words.
    /// </summary>
    public void Mailbox(Mailbox mailbox, int trailing)
    {
        var name = mailbox.DisplayName;
        if (name is null)
        {
            Token(mailbox.Address, trailing);
            return;
        }

        switch (ClassifyPhrase(name))
        {
            case PhraseKind.Atoms:
                var start = 0;
                while (start < name.Length)
                {
                    var end = WordEnd(name, start);
                    Token(name.AsSpan(start, end - start));
                    start = end + 1;
                }

                break;
            case PhraseKind.Quoted:
                QuotedPhrase(name);
                break;
            default:
                EncodedWords(name);
                break;
        }

        BeginToken(Utf8Length(mailbox.Address) + 2 + trailing);
        _column -= trailing;
        Sink.Write((byte)'<');
        Sink.WriteText(mailbox.Address);
        Sink.Write((byte)'>');
    }

    /// <summary>
    /// Writes <paramref name="text"/> as UTF-8 encoded words, B or Q (whichever is shorter for the whole text),
    /// each at most 75 characters and fitted to the room left on the line, split only between code points.
    /// </summary>
    public void EncodedWords(scoped ReadOnlySpan<char> text)
    {
        var useBase64 = Base64IsShorter(text);
        Span<byte> encoded = stackalloc byte[MaxEncodedWordLength];
        while (!text.IsEmpty)
        {
            var room = Math.Min(MaxEncodedWordLength, MaxLineLength - _column - 1);
            if (room < MinEncodedWordLength && _lineHasText && !_atFieldStart)
            {
                Fold();
                room = MaxEncodedWordLength;
            }

            var payloadRoom = room - EncodedWordOverhead;
            var consumed = useBase64
                ? EncodeBase64Chunk(text, payloadRoom, encoded, out var written)
                : EncodeQChunk(text, payloadRoom, encoded, out written);

            BeginToken(written + EncodedWordOverhead);
            Sink.Write("=?utf-8?"u8);
            Sink.Write(useBase64 ? (byte)'b' : (byte)'q');
            Sink.Write((byte)'?');
            Sink.Write(encoded[..written]);
            Sink.Write("?="u8);
            text = text[consumed..];
        }
    }

    private void Fold()
    {
        Sink.WriteCrlf();
        _column = 0;
        _lineHasText = false;
    }

    private void QuotedPhrase(string name)
    {
        // Fold opportunities inside the quotes are the name's own spaces, exactly as in unquoted text.
        var start = 0;
        while (start < name.Length)
        {
            var end = WordEnd(name, start);
            var word = name.AsSpan(start, end - start);
            var first = start == 0;
            var last = end == name.Length;
            var length = word.Length + (first ? 1 : 0) + (last ? 1 : 0);
            foreach (var c in word)
            {
                if (c is '"' or '\\')
                {
                    length++;
                }
            }

            BeginToken(length);
            if (first)
            {
                Sink.Write((byte)'"');
            }

            foreach (var c in word)
            {
                if (c is '"' or '\\')
                {
                    Sink.Write((byte)'\\');
                }

                Sink.Write((byte)c);
            }

            if (last)
            {
                Sink.Write((byte)'"');
            }

            start = end + 1;
        }
    }

    private enum PhraseKind
    {
        Atoms,
        Quoted,
        Encoded,
    }

    private static PhraseKind ClassifyPhrase(string name)
    {
        var kind = PhraseKind.Atoms;
        var wordLength = 0;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c > '~')
            {
                return PhraseKind.Encoded;
            }

            if (c == ' ')
            {
                // Runs of spaces survive only inside quotes.
                if (i > 0 && name[i - 1] == ' ')
                {
                    kind = PhraseKind.Quoted;
                }

                wordLength = 0;
                continue;
            }

            // Escaped quotes and backslashes take two characters inside a quoted string.
            wordLength += c is '"' or '\\' ? 2 : 1;
            // "To: " and both quotes must fit with the word on one line.
            if (wordLength > MaxLineLength - 6)
            {
                return PhraseKind.Encoded;
            }

            if (!IsAtext(c) || (c == '=' && i + 1 < name.Length && name[i + 1] == '?'))
            {
                kind = PhraseKind.Quoted;
            }
        }

        return kind;
    }

    private static bool IsAtext(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '/' or '=' or '?' or '^' or '_' or '`' or '{' or '|' or '}' or '~';

    private static int WordEnd(ReadOnlySpan<char> text, int start)
    {
        var space = text[start..].IndexOf(' ');
        return space < 0 ? text.Length : start + space;
    }

    private static bool NeedsEncoding(ReadOnlySpan<char> word, bool keepLongWords, int room)
    {
        if (!keepLongWords && word.Length > room)
        {
            return true;
        }

        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] > '~' || (word[i] == '=' && i + 1 < word.Length && word[i + 1] == '?'))
            {
                return true;
            }
        }

        return false;
    }

    private static int Utf8Length(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c > '\u007f')
            {
                return Encoding.UTF8.GetByteCount(text);
            }
        }

        return text.Length;
    }

    /// <summary>
    /// Q encoding stays readable in the raw message, so it is kept unless B is clearly (a quarter) shorter,
    /// which happens when most of the text is outside ASCII (CJK, emoji, Cyrillic).
    /// </summary>
    private static bool Base64IsShorter(ReadOnlySpan<char> text)
    {
        var q = 0;
        var bytes = 0;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(utf8);
            bytes += n;
            q += n == 1 && IsQSafe(utf8[0]) ? 1 : 3 * n;
        }

        return (bytes + 2) / 3 * 4 * 4 < q * 3;
    }

    /// <summary>
    /// The characters RFC 2047 §5(3) allows unencoded in a Q word anywhere a phrase may appear; the space becomes '_'.
    /// </summary>
    private static bool IsQSafe(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'/' or (byte)' ';

    private static int EncodeQChunk(ReadOnlySpan<char> text, int room, Span<byte> target, out int written)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var consumed = 0;
        written = 0;
        while (consumed < text.Length)
        {
            Rune.DecodeFromUtf16(text[consumed..], out var rune, out var units);
            var n = rune.EncodeToUtf8(utf8);
            var size = n == 1 && IsQSafe(utf8[0]) ? 1 : 3 * n;
            if (written + size > room)
            {
                break;
            }

            for (var i = 0; i < n; i++)
            {
                var b = utf8[i];
                if (n == 1 && IsQSafe(b))
                {
                    target[written++] = b == (byte)' ' ? (byte)'_' : b;
                }
                else
                {
                    target[written++] = (byte)'=';
                    target[written++] = HexDigit(b >> 4);
                    target[written++] = HexDigit(b & 0xF);
                }
            }

            consumed += units;
        }

        return consumed;
    }

    private static int EncodeBase64Chunk(ReadOnlySpan<char> text, int room, Span<byte> target, out int written)
    {
        var maxBytes = room / 4 * 3;
        Span<byte> raw = stackalloc byte[MaxEncodedWordLength];
        var consumed = 0;
        var length = 0;
        while (consumed < text.Length)
        {
            Rune.DecodeFromUtf16(text[consumed..], out var rune, out var units);
            if (length + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }

            length += rune.EncodeToUtf8(raw[length..]);
            consumed += units;
        }

        Base64.EncodeToUtf8(raw[..length], target, out _, out written);
        return consumed;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);
}
