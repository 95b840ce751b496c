// The `notifier` executable: the Functions custom handler (`notifier serve`) and the admin commands.
// Filled in by issue 5; issue 2 adds send-test and check-smtp.
Console.Error.WriteLine("usage: notifier serve | send-test --to ADDR | check-smtp | deliver PATH... | render PATH... --out DIR");
return 2;
