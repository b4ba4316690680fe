class CustomException(Exception):
    message: str

    def __init__(self):
        self.message = "Some custom exception was raised."


def handler(event, context):
    raise CustomException()


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
